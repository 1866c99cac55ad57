package kernel

// Event is a domain event. EventName is stable across releases and never
// derived from the Go type: "<module>.<thing>.<past-verb>" or a short form
// such as "user.created".
type Event interface {
	EventName() string
}
