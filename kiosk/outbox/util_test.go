package outbox_test

import (
	"errors"
	"io"
	"log/slog"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func newLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
