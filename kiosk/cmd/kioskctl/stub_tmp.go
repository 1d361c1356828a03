package main

func printerSimulateCommand() *command { return &command{name: "simulate"} }
func printerEmulateCommand() *command  { return &command{name: "emulate"} }
func demoCommand() *command            { return &command{name: "demo"} }
