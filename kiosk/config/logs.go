package config

import "net/url"

// Logs is where the kiosk's journal goes besides the kiosk itself.
type Logs struct {
	// JournalURL is the province's systemd-journal-remote (https, port 19532 by default), which
	// provisioning writes into systemd-journal-upload's configuration; "": logs stay on the kiosk.
	JournalURL string `toml:"journal_url"`
}

// validate accepts only an https journal URL with a host and no path, query or credentials.
func (l Logs) validate() error {
	if l.JournalURL == "" {
		return nil
	}
	u, err := url.Parse(l.JournalURL)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return wrapKey("logs.journal_url", "cần địa chỉ https của systemd-journal-remote, vd. https://logs.tinh.example:19532 "+
			"(want the https address of a systemd-journal-remote, e.g. https://logs.province.example:19532)")
	}
	return nil
}
