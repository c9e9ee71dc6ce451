-- actionq schema, version 10: the producer's W3C trace context (traceparent,
-- tracestate) stored with each action and handed to the worker at claim, so
-- that one trace spans enqueue, claim and complete across languages.

ALTER TABLE actions ADD COLUMN trace_context jsonb
    CONSTRAINT actions_trace_context_object
        CHECK (trace_context IS NULL OR jsonb_typeof(trace_context) = 'object');
