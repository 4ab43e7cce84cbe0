"""The clinician review loop: a local page to read dialogues and judge them (`server`), the judgements kept as
validated, durably appended data beside the dataset (`store`), and what they add up to (`report`)."""
