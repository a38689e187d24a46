"""The e-mail channel: the assistance mailbox read over IMAP, replies threaded into their tickets, the triage list."""
