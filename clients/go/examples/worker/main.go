// Command worker is the README's example: it completes every "thumbnail"
// action until SIGINT or SIGTERM, then finishes what it holds and exits.
// Each payload is {"width": N} (for instance); the result says where the
// thumbnail went.
package main

import (
	"context"
	"log"
	"os"
	"os/signal"
	"syscall"

	"actionq.dev/go/actionq"
)

// thumbnail is the payload of a "thumbnail" action.
type thumbnail struct {
	Width int `json:"width"`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	client, err := actionq.New(actionq.Config{}) // ACTIONQ_SERVER (else 127.0.0.1:50051); TLS and token from ACTIONQ_*
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	w := &actionq.Worker{Client: client, Name: "thumbnailer-1", ActionTypes: []string{"thumbnail"},
		Handler: func(ctx context.Context, a *actionq.Action) (actionq.Result, error) {
			p, err := actionq.Decode[thumbnail](a.Payload)
			if err != nil {
				return actionq.Result{}, actionq.NoRetry(err) // a bad payload stays bad
			}
			ref := "thumbs/" + a.GetTargetRef()
			return actionq.Result{Ref: ref, Data: map[string]any{"path": ref, "width": p.Width}}, nil
		}}
	if err := w.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
