package session

import "github.com/tramso/tramso/kiosk/api/wire"

// The session's view model is the local API's wire format.
type (
	Quality       = wire.Quality
	State         = wire.State
	View          = wire.View
	Message       = wire.Message
	CitizenView   = wire.CitizenView
	ProcedureView = wire.ProcedureView
	DocumentView  = wire.DocumentView
	FieldView     = wire.FieldView
	ReceiptView   = wire.ReceiptView
	Action        = wire.Action
)

// States, steps and actions, as the wire package defines them.
const (
	Attract         = wire.Attract
	Identify        = wire.Identify
	ChooseProcedure = wire.ChooseProcedure
	Documents       = wire.Documents
	Review          = wire.Review
	Consent         = wire.Consent
	Submitting      = wire.Submitting
	Receipt         = wire.Receipt
	Done            = wire.Done
	StepQR          = wire.StepQR
	StepCard        = wire.StepCard
	StepReading     = wire.StepReading
	StepTypeKey     = wire.StepTypeKey
	StepPlace       = wire.StepPlace
	StepScanning    = wire.StepScanning
	StepPreview     = wire.StepPreview
	StepProcessing  = wire.StepProcessing
	StepEditing     = wire.StepEditing
	StepPrinting    = wire.StepPrinting
	StepPrinted     = wire.StepPrinted
	StepPrintFail   = wire.StepPrintFail
	ActStart        = wire.ActStart
	ActCancel       = wire.ActCancel
	ActMoreTime     = wire.ActMoreTime
	ActTypeKey      = wire.ActTypeKey
	ActEnterID      = wire.ActEnterID
	ActEnterMRZ     = wire.ActEnterMRZ
	ActSearch       = wire.ActSearch
	ActChoose       = wire.ActChoose
	ActScan         = wire.ActScan
	ActAccept       = wire.ActAccept
	ActRescan       = wire.ActRescan
	ActKeep         = wire.ActKeep
	ActSkip         = wire.ActSkip
	ActSetField     = wire.ActSetField
	ActConfirm      = wire.ActConfirm
	ActAgree        = wire.ActAgree
	ActBack         = wire.ActBack
	ActFinish       = wire.ActFinish
)
