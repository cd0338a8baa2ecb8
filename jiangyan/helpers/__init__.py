"""Small helpers, each named for what it is: text comparison (``text``), rounding (``numbers``), spreadsheets
(``xlsx``), charts and their palette (``charts``), masking and encryption of personal information
(``masking``, ``crypto``, ``fields``, ``pii_migrations``), names and stored wording in the reader's language
(``names``, ``wording``), the API's JSON parser (``parsers``), text and date checks (``validators``), filters
(``filters``), uploads and the storage that writes them on commit (``uploads``, ``storage``).

They import nothing else of the portal: the bottom of its layers."""
