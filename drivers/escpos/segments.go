package escpos

// Breaks returns the offsets in an ESC/POS job after which a status query may be inserted safely:
// after each line feed, paper feed, raster image, printed QR code and cut. It knows the commands
// this package emits and the common ones around them; at the first command it does not know, it
// stops, because the length of an unknown command cannot be known and a query inside its data would
// be printed as an image. The last offset is always len(job).
func Breaks(job []byte) []int {
	var out []int
	i := 0
	for i < len(job) {
		n, brk := commandLen(job[i:])
		if n <= 0 {
			break
		}
		i += n
		if brk && i < len(job) {
			out = append(out, i)
		}
	}
	return append(out, len(job))
}

// commandLen returns the length of the command or text byte at the start of b, and whether the
// paper has moved after it. n is 0 when the command is unknown or incomplete.
func commandLen(b []byte) (n int, brk bool) {
	need := func(k int) int {
		if len(b) < k {
			return 0
		}
		return k
	}
	switch b[0] {
	case lf:
		return 1, true
	case '\r', '\t':
		return 1, false
	case dle:
		if len(b) < 3 {
			return 0, false
		}
		switch b[1] {
		case 0x04, 0x05: // DLE EOT n, DLE ENQ n
			return 3, false
		case 0x14:
			switch b[2] {
			case 1: // DLE DC4 1 m t
				return need(5), false
			case 2: // DLE DC4 2 1 8
				return need(5), false
			case 8: // DLE DC4 8 1 3 20 1 6 2 8
				return need(10), false
			}
		}
		return 0, false
	case esc:
		if len(b) < 2 {
			return 0, false
		}
		switch b[1] {
		case '@', 'i', 'm':
			return 2, b[1] != '@'
		case '2':
			return 2, false
		case '=', 't', 'a', 'E', '!', '-', 'M', '3', 'G':
			return need(3), false
		case 'J', 'd':
			return need(3), true
		case 'c':
			return need(4), false
		}
		return 0, false
	case fs:
		if len(b) >= 2 && (b[1] == '.' || b[1] == '&') {
			return 2, false
		}
		return 0, false
	case gs:
		if len(b) < 2 {
			return 0, false
		}
		switch b[1] {
		case '!', 'B', 'r', 'a', 'h', 'w', 'H', 'f':
			return need(3), false
		case 'L', 'W':
			return need(4), false
		case 'V':
			if len(b) < 3 {
				return 0, false
			}
			if b[2] >= 65 {
				return need(4), true
			}
			return 3, true
		case 'v':
			if len(b) < 8 || b[2] != '0' {
				return 0, false
			}
			w := int(b[4]) | int(b[5])<<8
			h := int(b[6]) | int(b[7])<<8
			return need(8 + w*h), true
		case '(':
			if len(b) < 5 {
				return 0, false
			}
			l := int(b[3]) | int(b[4])<<8
			n := need(5 + l)
			// GS ( k fn 181 (print the QR symbol) moves the paper.
			printsQR := b[2] == 'k' && l == 3 && len(b) >= 7 && b[6] == 0x51
			return n, printsQR && n > 0
		}
		return 0, false
	}
	if b[0] >= 0x20 {
		return 1, false
	}
	return 0, false
}
