// Package vnkey is the Vietnamese input engine of the kiosk's on-screen
// keyboard. Ebiten has no input method on Linux and many citizens are
// elderly, so the kiosk composes Vietnamese itself: Telex, VNI or VIQR keys
// in, NFC text out, plus on-screen tone and mark keys for those who know
// neither method.
//
// Whole strings:
//
//	vnkey.Type(vnkey.Telex, "Tieesng Vieejt") // "Tiếng Việt"
//	vnkey.Type(vnkey.VNI, "Tie61ng Vie65t")   // "Tiếng Việt"
//
// Key by key, for the keyboard widget:
//
//	e := vnkey.New(vnkey.Telex, vnkey.Options{})
//	e.Key('h'); e.Key('o'); e.Key('a'); e.Key('f') // e.Word() == "hoà"
//	e.Key('n')                                     // "hoàn": the tone moved
//	e.Tone(vnkey.Sac)                              // "hoán"
//	e.Undo()                                       // "hoàn"
//	e.Backspace()                                  // "hoà"
//	e.RestoreWord()                                // "hoaf": the keys as typed
//
// The rules (which keys, tone placement in the old and new styles, the
// spelling check that keeps "https" and "user@example.com" as typed) are
// described on Method, Engine and in rules.go. For search, internal/vntext.Fold removes
// case, tones and marks, and SameWord treats hòa and hoà as equal.
package vnkey
