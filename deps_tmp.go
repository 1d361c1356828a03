package tramso

import (
	_ "github.com/creack/pty"
	_ "github.com/skip2/go-qrcode"
	_ "golang.org/x/crypto/argon2"
	_ "golang.org/x/image/font/opentype"
	_ "golang.org/x/sys/unix"
	_ "golang.org/x/text/unicode/norm"
	_ "periph.io/x/conn/v3/i2c"
	_ "periph.io/x/host/v3"
)
