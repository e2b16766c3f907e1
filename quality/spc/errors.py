"""The one refusal of the chart math: input it cannot use.

quality.spc imports no Django (an import contract), so it cannot translate. Each refusal carries a
`code` and its `params`; quality.spc_refusals words them in the reader's language. str() of it is
the English, for the log. A subclass of ValueError, so a caller that only needs "refused" can say so.
"""


class SpcInputError(ValueError):
    def __init__(self, code: str, english: str, **params: object) -> None:
        super().__init__(english)
        self.code = code
        self.params = params
