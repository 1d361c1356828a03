package main

// outboxCommand is replaced by the real command group in outbox.go.
func outboxCommand() *command { return nil }
