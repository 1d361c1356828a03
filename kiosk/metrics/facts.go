package metrics

import "slices"

// Facts are the kiosk's versions, device states and outbox backlog, read back from the metrics
// themselves, so that `kioskctl status --json` and the heartbeat to the central system say what
// the metrics say.
type Facts struct {
	Build     string `json:"build"`
	Config    string `json:"config"`
	Catalogue string `json:"catalogue"`
	// Devices says, for each device looked at, whether it answers.
	Devices map[string]bool `json:"devices"`
	// Printer lists the printer's conditions that are present (paper_out, offline…), empty when fine.
	Printer []string `json:"printer"`
	// Enclosure has the configured cabinet inputs and whether each is active.
	Enclosure           map[string]bool `json:"enclosure,omitempty"`
	OutboxBacklog       int             `json:"outboxBacklog"`
	OutboxOldestSeconds int64           `json:"outboxOldestQueuedSeconds"`
}

// Facts reads the facts from the registry.
func (m *Metrics) Facts() (Facts, error) {
	f := Facts{Devices: map[string]bool{}, Printer: []string{}}
	if m == nil {
		return f, nil
	}
	fams, err := m.reg.Gather()
	if err != nil {
		return f, err
	}
	for _, fam := range fams {
		for _, s := range fam.GetMetric() {
			lab := map[string]string{}
			for _, l := range s.GetLabel() {
				lab[l.GetName()] = l.GetValue()
			}
			v := s.GetGauge().GetValue()
			switch fam.GetName() {
			case Namespace + "_build_info":
				f.Build = lab["version"]
			case Namespace + "_config_info":
				f.Config, f.Catalogue = lab["config"], lab["catalogue"]
			case Namespace + "_device_present":
				f.Devices[lab["device"]] = v == 1
			case Namespace + "_printer_condition":
				if v == 1 {
					f.Printer = append(f.Printer, lab["condition"])
				}
			case Namespace + "_enclosure_input":
				if f.Enclosure == nil {
					f.Enclosure = map[string]bool{}
				}
				f.Enclosure[lab["input"]] = v == 1
			case Namespace + "_outbox_backlog":
				f.OutboxBacklog = int(v)
			case Namespace + "_outbox_oldest_queued_age_seconds":
				f.OutboxOldestSeconds = int64(v)
			}
		}
	}
	slices.Sort(f.Printer)
	return f, nil
}
