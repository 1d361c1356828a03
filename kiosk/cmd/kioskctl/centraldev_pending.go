package main

// centralDevCommand is replaced by the real command group in centraldev.go.
func centralDevCommand() *command { return nil }
