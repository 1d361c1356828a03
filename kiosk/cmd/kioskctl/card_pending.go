package main

// cardCommand is replaced by the real command group in card.go.
func cardCommand() *command { return nil }
