package dossier

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Input is the documented JSON form of a dossier handed to `kioskctl outbox add`:
//
//	{"procedure":{"code":"1.001193","name":"Đăng ký khai sinh"},
//	 "unit":{"code":"000.00.21.H26","name":"Ủy ban nhân dân phường Ô Chợ Dừa"},
//	 "applicant":{"idNumber":"001189012345","fullName":"…","dateOfBirth":"1989-03-02","phone":"…"},
//	 "fields":{"…":"…"},
//	 "attachments":[{"type":"to-khai","name":"Tờ khai","path":"to-khai.pdf"}]}
//
// Attachment paths are absolute or relative to the JSON file. Optional extensions: "consent"
// (as in [Consent]) and "requiredDocuments" (a list of [Requirement], checked by [Dossier.Validate]).
type Input struct {
	Procedure         Procedure         `json:"procedure"`
	Unit              Unit              `json:"unit"`
	Applicant         Applicant         `json:"applicant"`
	Fields            map[string]string `json:"fields"`
	Attachments       []InputAttachment `json:"attachments"`
	Consent           *Consent          `json:"consent,omitempty"`
	RequiredDocuments []Requirement     `json:"requiredDocuments,omitempty"`
}

// InputAttachment names one attachment file of an Input.
type InputAttachment struct {
	Type string `json:"type"`
	Name string `json:"name"`
	Path string `json:"path"`
}

// DecodeInput reads the JSON form of a dossier. Unknown fields are ignored, so that inputs written for
// a later version with extra fields still load.
func DecodeInput(b []byte) (*Input, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var in Input
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the JSON object", ErrBadInput)
	}
	if len(in.Attachments) == 0 {
		return nil, fmt.Errorf("%w: no attachments", ErrBadInput)
	}
	for i, a := range in.Attachments {
		if a.Path == "" || a.Type == "" {
			return nil, fmt.Errorf("%w: attachment %d lacks type or path", ErrBadInput, i+1)
		}
	}
	return &in, nil
}
