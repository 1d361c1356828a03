package mrtd

import "errors"

func isAuth(err error) bool { return errors.Is(err, ErrAuthentication) }
func isSM(err error) bool   { return errors.Is(err, ErrSecureMessaging) }
