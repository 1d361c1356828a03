package vnkey_test

import (
	"fmt"

	"github.com/tramso/tramso/ui/vnkey"
)

func ExampleType() {
	fmt.Println(vnkey.Type(vnkey.Telex, "Tieesng Vieejt"))
	fmt.Println(vnkey.Type(vnkey.VNI, "Tie61ng Vie65t"))
	fmt.Println(vnkey.Type(vnkey.Telex, "user@example.com https xyz"))
	// Output:
	// Tiếng Việt
	// Tiếng Việt
	// user@example.com https xyz
}

func ExampleEngine() {
	e := vnkey.New(vnkey.Telex, vnkey.Options{})
	for _, r := range "hoaf" {
		e.Key(r)
	}
	fmt.Println(e.Word())
	e.Key('n')
	fmt.Println(e.Word())
	e.Tone(vnkey.Sac)
	fmt.Println(e.Word())
	e.Undo()
	fmt.Println(e.Word())
	e.Backspace()
	fmt.Println(e.Word())
	fmt.Println(e.RestoreWord())
	// Output:
	// hoà
	// hoàn
	// hoán
	// hoàn
	// hoà
	// hoaf
}

func ExampleSameWord() {
	fmt.Println(vnkey.SameWord("hòa", "hoà"))
	// Output:
	// true
}
