package config

import _ "embed"

// Example is the documented configuration file with every key.
//
//go:embed kiosk.example.toml
var example []byte

// Example returns the documented configuration file.
func Example() []byte { return append([]byte(nil), example...) }
