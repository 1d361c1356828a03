package pn532_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"periph.io/x/conn/v3/i2c/i2ctest"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/pn532"
	"github.com/tramso/tramso/drivers/pn532/pn532sim"
)

func TestI2C(t *testing.T) {
	sim := pn532sim.NewI2C(context.Background(), pn532sim.Config{Card: echoCard{}})
	defer sim.Close()
	rec := &i2ctest.Record{Bus: sim}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	d, err := pn532.OpenI2C(ctx, rec, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Version().IC != 0x32 {
		t.Fatalf("version %v", d.Version())
	}
	// The first transaction writes SAMConfiguration to 0x24, with no HSU wake-up bytes;
	// then the host polls the ready byte one byte at a time.
	if len(rec.Ops) < 2 || rec.Ops[0].Addr != 0x24 || !bytes.Equal(rec.Ops[0].W, []byte{0x00, 0x00, 0xFF, 0x05, 0xFB, 0xD4, 0x14, 0x01, 0x14, 0x01, 0x02, 0x00}) {
		t.Fatalf("first op %+v", rec.Ops[0])
	}
	if len(rec.Ops[1].R) != 1 || len(rec.Ops[1].W) != 0 {
		t.Fatalf("second op %+v, want a ready-byte poll", rec.Ops[1])
	}

	c, err := d.WaitForCard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ne := range []int{240, 600} {
		r, err := c.Transmit(ctx, readBinary(t, ne))
		if err != nil || len(r) != ne+2 || !bytes.Equal(r[:ne], pattern(ne)) {
			t.Fatalf("READ BINARY %d over I2C: %d bytes, %v", ne, len(r), err)
		}
	}

	sim.Remove()
	if _, err := c.Transmit(ctx, readBinary(t, 10)); !errors.Is(err, apdu.ErrCardRemoved) {
		t.Fatalf("card removed over I2C: %v", err)
	}

	sim.SetFault(pn532sim.FaultSilent)
	sctx, scancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer scancel()
	if _, err := d.FirmwareVersion(sctx); !errors.Is(err, apdu.ErrTimeout) {
		t.Fatalf("silent I2C reader: %v", err)
	}

	// A closed bus fails every transaction: the reader is gone.
	sim.Close()
	if _, err := d.FirmwareVersion(ctx); !errors.Is(err, apdu.ErrReaderGone) {
		t.Fatalf("closed bus: %v", err)
	}
}

func TestI2CWrongAddress(t *testing.T) {
	sim := pn532sim.NewI2C(context.Background(), pn532sim.Config{})
	defer sim.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := pn532.OpenI2C(ctx, sim, 0x25, nil); !errors.Is(err, apdu.ErrReaderGone) {
		t.Fatalf("no device at 0x25: %v", err)
	}
}
