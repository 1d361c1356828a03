// Command stub stands in for kioskd, kioskctl and kiosk-ui when the package tests build a .deb.
package main

import "fmt"

func main() { fmt.Println("stub") }
