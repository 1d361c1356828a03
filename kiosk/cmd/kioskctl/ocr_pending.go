package main

// ocrCommand is replaced by the real command group in ocr.go.
func ocrCommand() *command { return nil }
