package dev.actionq.client;

import io.grpc.protobuf.StatusProto;

/**
 * What {@link ActionQueueClient#waitFor} and {@link ActionQueueClient#waitAction} throw when the
 * wait's timeout passed before every action finished: DEADLINE_EXCEEDED with reason
 * {@code WAIT_TIMEOUT}. The actions go on; wait again to keep waiting.
 */
public final class WaitTimeoutException extends ActionqException {

  private static final long serialVersionUID = 1L;

  /** The same error as {@code e}, typed. */
  WaitTimeoutException(ActionqException e) {
    super(e.getStatus(), e.getTrailers(), StatusProto.fromThrowable(e));
    setStackTrace(e.getStackTrace());
  }
}
