package identity

import (
	"context"
	"fmt"
	"strings"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/pcsc"
	"github.com/tramso/tramso/drivers/pn532"
)

// Reader is a card reader the kiosk waits on for the citizen's card.
type Reader interface {
	// WaitForCard returns the card once one is on the reader, or ctx's error.
	WaitForCard(ctx context.Context) (apdu.Transceiver, error)
	Close() error
}

// OpenReader opens a reader by its device string:
//
//	pn532:/dev/tramso/nfc[?baud=115200]   NXP PN532 on a serial line (HSU)
//	pn532-i2c:BUS[:ADDR]                   NXP PN532 on I2C (periph.io bus name, address 0x24 by default)
//	pcsc[:NAME]                            any PC/SC reader through pcscd (NAME: reader name or its prefix)
func OpenReader(ctx context.Context, device string) (Reader, error) {
	switch {
	case strings.HasPrefix(device, "pn532:"), strings.HasPrefix(device, "pn532-i2c:"):
		d, err := pn532.Open(ctx, device)
		if err != nil {
			return nil, err
		}
		return pn532Reader{d}, nil
	case device == "pcsc", strings.HasPrefix(device, "pcsc:"):
		r, err := pcsc.OpenDevice(ctx, device)
		if err != nil {
			return nil, err
		}
		return pcscReader{r}, nil
	}
	return nil, fmt.Errorf("đầu đọc thẻ %q không hỗ trợ; dùng pn532:ĐƯỜNG_DẪN, pn532-i2c:BUS:ĐỊA_CHỈ hoặc pcsc[:TÊN] (unsupported card reader)", device)
}

type pn532Reader struct{ d *pn532.Device }

func (r pn532Reader) WaitForCard(ctx context.Context) (apdu.Transceiver, error) {
	return r.d.WaitForCard(ctx)
}

func (r pn532Reader) Close() error { return r.d.Close() }

type pcscReader struct{ r *pcsc.Reader }

func (r pcscReader) WaitForCard(ctx context.Context) (apdu.Transceiver, error) {
	return r.r.WaitForCard(ctx)
}

func (r pcscReader) Close() error { return r.r.Close() }
