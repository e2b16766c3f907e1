"""Quality: specs, evaluation, flags, gates, holds, dispositions, SPC, audit (issue 3)."""
