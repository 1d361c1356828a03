package dossier

import "errors"

// Sentinel errors, to be tested with errors.Is.
var (
	// ErrInvalid is matched by every *ValidationError.
	ErrInvalid = errors.New("hồ sơ chưa hợp lệ (dossier invalid)")
	// ErrBadManifest means manifest bytes could not be decoded.
	ErrBadManifest = errors.New("bản kê hồ sơ hỏng (malformed dossier manifest)")
	// ErrBadSignature means a manifest's signature does not verify with the kiosk's key.
	ErrBadSignature = errors.New("chữ ký bản kê không hợp lệ (manifest signature invalid)")
	// ErrBadCode means a string is not a dossier code of Circular 01/2018.
	ErrBadCode = errors.New("mã hồ sơ không đúng dạng (malformed dossier code)")
	// ErrNotPDF means an attachment is not a PDF file.
	ErrNotPDF = errors.New("tệp đính kèm không phải PDF (attachment is not a PDF)")
	// ErrBadDate means a date of the dossier is neither YYYY-MM-DD nor dd/mm/yyyy, or no such day.
	ErrBadDate = errors.New("ngày không hợp lệ, cần dạng dd/mm/yyyy (not a date: want dd/mm/yyyy)")
	// ErrBadInput means the JSON form of a dossier to add could not be read.
	ErrBadInput = errors.New("dữ liệu hồ sơ không đọc được (dossier input unreadable)")
)
