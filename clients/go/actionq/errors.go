package actionq

import "errors"

// RejectError makes the Worker reject the action (never retried) instead of failing it.
type RejectError struct {
	Validator string
	Reason    string
}

func (e *RejectError) Error() string { return "rejected by " + e.Validator + ": " + e.Reason }

// Reject returns the error a Handler gives back when validator refuses the work.
func Reject(validator, reason string) error {
	return &RejectError{Validator: validator, Reason: reason}
}

// Permanent marks err as not worth retrying: the Worker fails the action
// with no_retry, whatever attempts remain.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

func isPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}
