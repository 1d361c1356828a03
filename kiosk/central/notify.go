package central

import (
	"context"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// Notification channels.
const (
	ChannelSMS   = "sms"
	ChannelZalo  = "zalo" // to the Zalo account of the phone number
	ChannelEmail = "email"
)

// NotifyOptIn is the citizen's choice, at consent, to be told of status changes. It travels with
// the dossier (keyed by its idempotency key) and central sends the messages; central keeps the
// contact no longer than the dossier.
type NotifyOptIn struct {
	Channels  []string  `json:"channels"`
	Phone     string    `json:"phone,omitempty"` // SMS and Zalo: normalised to +84…
	Email     string    `json:"email,omitempty"`
	ConsentAt time.Time `json:"consentAt"`
}

// NormalizePhone checks a Vietnamese mobile number (0xxxxxxxxx, 84xxxxxxxxx or +84xxxxxxxxx, spaces,
// dots and dashes allowed) and returns it as +84 and nine digits.
func NormalizePhone(s string) (string, error) {
	var d strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			d.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '.', r == '-':
		default:
			return "", fmt.Errorf("số điện thoại chỉ gồm chữ số (a phone number has digits only)")
		}
	}
	n := d.String()
	switch {
	case strings.HasPrefix(n, "84") && len(n) == 11:
		n = n[2:]
	case strings.HasPrefix(n, "0") && len(n) == 10:
		n = n[1:]
	default:
		return "", fmt.Errorf("số điện thoại di động phải có 10 chữ số, bắt đầu bằng 0 (a mobile number has 10 digits starting with 0)")
	}
	if !strings.ContainsRune("35789", rune(n[0])) {
		return "", fmt.Errorf("không phải số di động Việt Nam (not a Vietnamese mobile number)")
	}
	return "+84" + n, nil
}

// NormalizeEmail checks an e-mail address (a bare address with a dotted domain) and returns it
// trimmed, with the domain in lower case.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	bad := fmt.Errorf("địa chỉ e-mail không hợp lệ (invalid e-mail address)")
	if err != nil || a.Address != s || a.Name != "" || len(s) > 254 {
		return "", bad
	}
	local, domain, _ := strings.Cut(s, "@")
	if local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.HasPrefix(domain, "[") {
		return "", bad
	}
	return local + "@" + strings.ToLower(domain), nil
}

// Check normalises the contact and reports why the opt-in cannot be sent, or nil.
func (n *NotifyOptIn) Check() error {
	if len(n.Channels) == 0 {
		return fmt.Errorf("chưa chọn kênh nhận tin (no channel chosen)")
	}
	seen := map[string]bool{}
	for _, ch := range n.Channels {
		if (ch != ChannelSMS && ch != ChannelZalo && ch != ChannelEmail) || seen[ch] {
			return fmt.Errorf("kênh nhận tin không có hoặc lặp lại: %q (unknown or repeated channel)", ch)
		}
		seen[ch] = true
	}
	if seen[ChannelSMS] || seen[ChannelZalo] {
		p, err := NormalizePhone(n.Phone)
		if err != nil {
			return err
		}
		n.Phone = p
	} else if n.Phone != "" {
		return fmt.Errorf("số điện thoại chỉ cần khi chọn SMS hoặc Zalo (a phone number only with SMS or Zalo)")
	}
	if seen[ChannelEmail] {
		e, err := NormalizeEmail(n.Email)
		if err != nil {
			return err
		}
		n.Email = e
	} else if n.Email != "" {
		return fmt.Errorf("địa chỉ e-mail chỉ cần khi chọn e-mail (an address only with e-mail)")
	}
	if n.ConsentAt.IsZero() {
		return fmt.Errorf("thiếu thời điểm đồng ý (consent time missing)")
	}
	return nil
}

func notifyPath(key string) string {
	return strings.Replace(PathNotifications, "{key}", url.PathEscape(key), 1)
}

// SetNotifications records the opt-in of the dossier submitted with idempotencyKey (PUT, so a retry
// is harmless). 404 means central does not hold the dossier yet: send it after the submission.
func (c *Client) SetNotifications(ctx context.Context, idempotencyKey string, n NotifyOptIn) error {
	if err := n.Check(); err != nil {
		return err
	}
	body, size, h := jsonBody(n)
	_, err := c.do(ctx, http.MethodPut, notifyPath(idempotencyKey), h, body, size, nil, http.StatusOK, http.StatusNoContent)
	return err
}

// Notifications reads back the opt-in of a dossier (404 when there is none).
func (c *Client) Notifications(ctx context.Context, idempotencyKey string) (*NotifyOptIn, error) {
	var out NotifyOptIn
	if _, err := c.do(ctx, http.MethodGet, notifyPath(idempotencyKey), nil, nil, 0, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// StopNotifications withdraws the opt-in and makes central forget the contact.
func (c *Client) StopNotifications(ctx context.Context, idempotencyKey string) error {
	_, err := c.do(ctx, http.MethodDelete, notifyPath(idempotencyKey), nil, nil, 0, nil, http.StatusNoContent)
	return err
}
