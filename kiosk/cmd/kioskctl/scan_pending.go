package main

// scanCommand is replaced by the real command group in scan.go.
func scanCommand() *command { return nil }
