"""`manage.py audit_verify [--expect audit=SEQ:MAC] [--json]`: check the sealed audit trail.

Exit 0 when every link of both chains holds and the live holds and dispositions match their
sealed records; exit 1 otherwise, printing the first broken link (which row, which field, why)
and the problems after it. The same report as GET /api/v1/audit/verify/
(quality.selectors.audit_verify). Print the heads it shows into a log kept outside the
database and pass them back with --expect later: rows deleted from the end then show too.
"""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from mes.errors import DomainError


class Command(BaseCommand):
    help = "Verify the keyed, chained audit trail and the live records it vouches for."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--expect",
            action="append",
            default=[],
            metavar="CHAIN=SEQ:MAC",
            help="a head printed by an earlier run (audit=... or signature=...)",
        )
        parser.add_argument("--limit", type=int, default=100, help="problems listed at most")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: object, expect: list[str], limit: int, **opts: object) -> None:
        from quality.selectors.audit_verify import audit_verify, parse_expect

        try:
            report = audit_verify(expect=parse_expect(expect), limit=limit)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            for chain, head in report.heads.items():
                self.stdout.write(
                    f"{chain}: {report.checked[chain]} rows, head {chain}={head['seq']}:"
                    f"{head['mac'] or '-'}"
                )
            for n, problem in enumerate(report.problems):
                lead = "first broken link" if n == 0 else "then"
                self.stdout.write(f"{lead}: {problem.record}, field {problem.field}: {problem.why}")
            if report.more:
                self.stdout.write(f"... and {report.more} more problems")
        if not report.intact:
            first = report.problems[0]
            raise CommandError(
                _("The audit trail is broken at %(record)s (%(field)s).")
                % {"record": first.record, "field": first.field}
            )
        self.stdout.write("audit trail intact")
