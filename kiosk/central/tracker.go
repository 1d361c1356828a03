package central

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"time"

	"github.com/tramso/tramso/kiosk/dossier"
)

// OwedDocument is a paper the centre asks for (status 5).
type OwedDocument struct {
	Name string `json:"name"`
	Note string `json:"note,omitempty"` // e.g. "bản chính" (the original)
}

// Owed is what the citizen still has to bring or pay: documents with status 5, the fee with 6.
type Owed struct {
	Documents []OwedDocument `json:"documents,omitempty"`
	FeeVND    int64          `json:"feeVnd,omitempty"` // in đồng
	FeePaid   bool           `json:"feePaid,omitempty"`
	Where     string         `json:"where,omitempty"` // the counter or place to go
}

// HolderView is what only the applicant (proved by the ID card) sees of a dossier.
type HolderView struct {
	FullName  string   `json:"fullName"`
	Documents []string `json:"documents"` // names of the documents filed
}

// TrackedDossier is a dossier as the tracker shows it. By code alone it carries no personal data:
// Holder is set only for a holder query.
type TrackedDossier struct {
	DossierCode   string         `json:"dossierCode"`
	ProcedureCode string         `json:"procedureCode"`
	ProcedureName string         `json:"procedureName"`
	StatusCode    dossier.Status `json:"statusCode"` // national code 1–10
	StatusLabel   string         `json:"statusLabel"`
	StatusLabelEn string         `json:"statusLabelEn"`
	ReceivedAt    time.Time      `json:"receivedAt"`
	UpdatedAt     time.Time      `json:"updatedAt"`
	Appointment   string         `json:"appointment,omitempty"` // YYYY-MM-DD, the day the result is due
	Owed          *Owed          `json:"owed,omitempty"`        // with status 5 or 6
	Note          string         `json:"note,omitempty"`        // the centre's note, no personal data
	Holder        *HolderView    `json:"holder,omitempty"`
}

// HolderProof is the kiosk's statement that the citizen at it holds the ID card of IDHash: the card
// was read and passed passive authentication at ReadAt. The kiosk signs it with its device key (the
// key of its mTLS certificate); central checks the signature, freshness (5 minutes) and the hash.
// The ID number itself never travels in a tracker request and never appears in a URL.
type HolderProof struct {
	IDHash      string    `json:"idHash"`      // HolderIDHash of the 12-digit number
	PassiveAuth string    `json:"passiveAuth"` // must be "valid"
	ReadAt      time.Time `json:"readAt"`
	DossierCode string    `json:"dossierCode,omitempty"` // one dossier; empty: all of the holder's
	Signature   []byte    `json:"signature"`             // ECDSA P-256 over SigningBytes
}

// HolderProofMaxAge is how old a holder proof may be.
const HolderProofMaxAge = 5 * time.Minute

// HolderIDHash is the hash a holder proof carries for a personal identification number.
func HolderIDHash(idNumber string) string {
	h := sha256.Sum256([]byte("tramso-holder-v1\x00" + idNumber))
	return hex.EncodeToString(h[:])
}

// SigningBytes are the bytes the kiosk signs: a fixed prefix and the fields, one a line.
func (p *HolderProof) SigningBytes() []byte {
	return []byte("tramso-holder-proof-v1\n" + p.IDHash + "\n" + p.PassiveAuth + "\n" +
		p.ReadAt.UTC().Format(time.RFC3339Nano) + "\n" + p.DossierCode + "\n")
}

// Sign fills Signature with the device key.
func (p *HolderProof) Sign(key *ecdsa.PrivateKey) error {
	sig, err := dossier.Sign(key, p.SigningBytes())
	if err != nil {
		return err
	}
	p.Signature = sig
	return nil
}

// HolderDossiers is the answer to a holder query, newest first.
type HolderDossiers struct {
	Dossiers []TrackedDossier `json:"dossiers"`
}

// Track looks a dossier up by its code alone: status, dates, what is owed; no names.
func (c *Client) Track(ctx context.Context, code string) (*TrackedDossier, error) {
	var out TrackedDossier
	if _, err := c.do(ctx, http.MethodGet, PathTracker+"/"+url.PathEscape(code), nil, nil, 0, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// TrackHolder returns the dossiers of the proved holder (or the one named in the proof), newest
// first, with names and documents.
func (c *Client) TrackHolder(ctx context.Context, proof HolderProof) (*HolderDossiers, error) {
	body, n, h := jsonBody(proof)
	var out HolderDossiers
	if _, err := c.do(ctx, http.MethodPost, PathTrackerHolder, h, body, n, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// ---- Queue ----
