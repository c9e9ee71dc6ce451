package main

import (
	"context"
	"fmt"
	"os"

	"actionq.dev/go/actionq"
	actionqv1 "actionq.dev/go/actionq/v1"
)

// denied makes a second client to the same server with the same TLS
// settings but the token in the variable s.TokenEnv (none for ""), makes
// s.Call with it, and checks that the call is refused with s.ExpectReason.
func (r *runner) denied(ctx context.Context, s step) error {
	token := ""
	if s.TokenEnv != "" {
		if token = os.Getenv(s.TokenEnv); token == "" {
			return fmt.Errorf("$%s is not set", s.TokenEnv)
		}
	}
	// NoEnv keeps ACTIONQ_TOKEN out; the rest is passed on as it is.
	other, err := actionq.New(actionq.Config{
		NoEnv:    true,
		Address:  os.Getenv("ACTIONQ_SERVER"),
		TLS:      os.Getenv("ACTIONQ_TLS") == "true",
		CAFile:   os.Getenv("ACTIONQ_CA_FILE"),
		CertFile: os.Getenv("ACTIONQ_CLIENT_CERT"),
		KeyFile:  os.Getenv("ACTIONQ_CLIENT_KEY"),
		Token:    token,
	})
	if err != nil {
		return err
	}
	defer other.Close()
	var callErr error
	switch s.Call {
	case "emit_event":
		_, callErr = other.EmitEvent(ctx, &actionqv1.EmitEventRequest{EventType: "coordinator_cycle", Actor: "conformance", PayloadJson: "{}"})
	default:
		return fmt.Errorf("unknown call %q", s.Call)
	}
	if callErr == nil {
		return fmt.Errorf("the call succeeded, want %s", s.ExpectReason)
	}
	if e := actionq.AsError(callErr); e.Reason != s.ExpectReason {
		return fmt.Errorf("got %s reason %q (%s), want reason %q", e.Code, e.Reason, e.Message, s.ExpectReason)
	}
	return nil
}
