package dev.actionq.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * ActionQueueService is the whole API of actionq: producers enqueue, workers
 * claim and finish under a lease, operators inspect and intervene, and
 * coordinators follow the event log.
 * Errors: INVALID_ARGUMENT names the bad field (also for a message that does
 * not parse); NOT_FOUND an unknown id; FAILED_PRECONDITION an illegal
 * transition, a stale lease or a chain that is too deep; ABORTED a concurrent
 * change (retry); ALREADY_EXISTS a request_id reused for another request;
 * RESOURCE_EXHAUSTED a producer over its rate limit (with
 * google.rpc.RetryInfo); UNAVAILABLE the database is down or the server is
 * draining (retryable). Every error carries a google.rpc.ErrorInfo with domain
 * "actionq.dev" and a reason from ErrorReason (errors.proto); clients branch
 * on the reason, never on the message text.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class ActionQueueServiceGrpc {

  private ActionQueueServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "actionq.v1.ActionQueueService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.EnqueueRequest,
      dev.actionq.v1.EnqueueResponse> getEnqueueMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Enqueue",
      requestType = dev.actionq.v1.EnqueueRequest.class,
      responseType = dev.actionq.v1.EnqueueResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.EnqueueRequest,
      dev.actionq.v1.EnqueueResponse> getEnqueueMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.EnqueueRequest, dev.actionq.v1.EnqueueResponse> getEnqueueMethod;
    if ((getEnqueueMethod = ActionQueueServiceGrpc.getEnqueueMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getEnqueueMethod = ActionQueueServiceGrpc.getEnqueueMethod) == null) {
          ActionQueueServiceGrpc.getEnqueueMethod = getEnqueueMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.EnqueueRequest, dev.actionq.v1.EnqueueResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Enqueue"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.EnqueueRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.EnqueueResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("Enqueue"))
              .build();
        }
      }
    }
    return getEnqueueMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.GetActionRequest,
      dev.actionq.v1.GetActionResponse> getGetActionMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetAction",
      requestType = dev.actionq.v1.GetActionRequest.class,
      responseType = dev.actionq.v1.GetActionResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.GetActionRequest,
      dev.actionq.v1.GetActionResponse> getGetActionMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.GetActionRequest, dev.actionq.v1.GetActionResponse> getGetActionMethod;
    if ((getGetActionMethod = ActionQueueServiceGrpc.getGetActionMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getGetActionMethod = ActionQueueServiceGrpc.getGetActionMethod) == null) {
          ActionQueueServiceGrpc.getGetActionMethod = getGetActionMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.GetActionRequest, dev.actionq.v1.GetActionResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetAction"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.GetActionRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.GetActionResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("GetAction"))
              .build();
        }
      }
    }
    return getGetActionMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.ListActionsRequest,
      dev.actionq.v1.ListActionsResponse> getListActionsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListActions",
      requestType = dev.actionq.v1.ListActionsRequest.class,
      responseType = dev.actionq.v1.ListActionsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.ListActionsRequest,
      dev.actionq.v1.ListActionsResponse> getListActionsMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.ListActionsRequest, dev.actionq.v1.ListActionsResponse> getListActionsMethod;
    if ((getListActionsMethod = ActionQueueServiceGrpc.getListActionsMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getListActionsMethod = ActionQueueServiceGrpc.getListActionsMethod) == null) {
          ActionQueueServiceGrpc.getListActionsMethod = getListActionsMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.ListActionsRequest, dev.actionq.v1.ListActionsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListActions"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.ListActionsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.ListActionsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("ListActions"))
              .build();
        }
      }
    }
    return getListActionsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.ClaimRequest,
      dev.actionq.v1.ClaimResponse> getClaimMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Claim",
      requestType = dev.actionq.v1.ClaimRequest.class,
      responseType = dev.actionq.v1.ClaimResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.ClaimRequest,
      dev.actionq.v1.ClaimResponse> getClaimMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.ClaimRequest, dev.actionq.v1.ClaimResponse> getClaimMethod;
    if ((getClaimMethod = ActionQueueServiceGrpc.getClaimMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getClaimMethod = ActionQueueServiceGrpc.getClaimMethod) == null) {
          ActionQueueServiceGrpc.getClaimMethod = getClaimMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.ClaimRequest, dev.actionq.v1.ClaimResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Claim"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.ClaimRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.ClaimResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("Claim"))
              .build();
        }
      }
    }
    return getClaimMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.HeartbeatRequest,
      dev.actionq.v1.HeartbeatResponse> getHeartbeatMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Heartbeat",
      requestType = dev.actionq.v1.HeartbeatRequest.class,
      responseType = dev.actionq.v1.HeartbeatResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.HeartbeatRequest,
      dev.actionq.v1.HeartbeatResponse> getHeartbeatMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.HeartbeatRequest, dev.actionq.v1.HeartbeatResponse> getHeartbeatMethod;
    if ((getHeartbeatMethod = ActionQueueServiceGrpc.getHeartbeatMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getHeartbeatMethod = ActionQueueServiceGrpc.getHeartbeatMethod) == null) {
          ActionQueueServiceGrpc.getHeartbeatMethod = getHeartbeatMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.HeartbeatRequest, dev.actionq.v1.HeartbeatResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Heartbeat"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.HeartbeatRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.HeartbeatResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("Heartbeat"))
              .build();
        }
      }
    }
    return getHeartbeatMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.CompleteRequest,
      dev.actionq.v1.CompleteResponse> getCompleteMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Complete",
      requestType = dev.actionq.v1.CompleteRequest.class,
      responseType = dev.actionq.v1.CompleteResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.CompleteRequest,
      dev.actionq.v1.CompleteResponse> getCompleteMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.CompleteRequest, dev.actionq.v1.CompleteResponse> getCompleteMethod;
    if ((getCompleteMethod = ActionQueueServiceGrpc.getCompleteMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getCompleteMethod = ActionQueueServiceGrpc.getCompleteMethod) == null) {
          ActionQueueServiceGrpc.getCompleteMethod = getCompleteMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.CompleteRequest, dev.actionq.v1.CompleteResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Complete"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.CompleteRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.CompleteResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("Complete"))
              .build();
        }
      }
    }
    return getCompleteMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.CompleteManyRequest,
      dev.actionq.v1.CompleteManyResponse> getCompleteManyMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CompleteMany",
      requestType = dev.actionq.v1.CompleteManyRequest.class,
      responseType = dev.actionq.v1.CompleteManyResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.CompleteManyRequest,
      dev.actionq.v1.CompleteManyResponse> getCompleteManyMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.CompleteManyRequest, dev.actionq.v1.CompleteManyResponse> getCompleteManyMethod;
    if ((getCompleteManyMethod = ActionQueueServiceGrpc.getCompleteManyMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getCompleteManyMethod = ActionQueueServiceGrpc.getCompleteManyMethod) == null) {
          ActionQueueServiceGrpc.getCompleteManyMethod = getCompleteManyMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.CompleteManyRequest, dev.actionq.v1.CompleteManyResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CompleteMany"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.CompleteManyRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.CompleteManyResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("CompleteMany"))
              .build();
        }
      }
    }
    return getCompleteManyMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.FailRequest,
      dev.actionq.v1.FailResponse> getFailMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Fail",
      requestType = dev.actionq.v1.FailRequest.class,
      responseType = dev.actionq.v1.FailResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.FailRequest,
      dev.actionq.v1.FailResponse> getFailMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.FailRequest, dev.actionq.v1.FailResponse> getFailMethod;
    if ((getFailMethod = ActionQueueServiceGrpc.getFailMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getFailMethod = ActionQueueServiceGrpc.getFailMethod) == null) {
          ActionQueueServiceGrpc.getFailMethod = getFailMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.FailRequest, dev.actionq.v1.FailResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Fail"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.FailRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.FailResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("Fail"))
              .build();
        }
      }
    }
    return getFailMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.RejectRequest,
      dev.actionq.v1.RejectResponse> getRejectMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Reject",
      requestType = dev.actionq.v1.RejectRequest.class,
      responseType = dev.actionq.v1.RejectResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.RejectRequest,
      dev.actionq.v1.RejectResponse> getRejectMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.RejectRequest, dev.actionq.v1.RejectResponse> getRejectMethod;
    if ((getRejectMethod = ActionQueueServiceGrpc.getRejectMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getRejectMethod = ActionQueueServiceGrpc.getRejectMethod) == null) {
          ActionQueueServiceGrpc.getRejectMethod = getRejectMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.RejectRequest, dev.actionq.v1.RejectResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Reject"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.RejectRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.RejectResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("Reject"))
              .build();
        }
      }
    }
    return getRejectMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.CancelRequest,
      dev.actionq.v1.CancelResponse> getCancelMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Cancel",
      requestType = dev.actionq.v1.CancelRequest.class,
      responseType = dev.actionq.v1.CancelResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.CancelRequest,
      dev.actionq.v1.CancelResponse> getCancelMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.CancelRequest, dev.actionq.v1.CancelResponse> getCancelMethod;
    if ((getCancelMethod = ActionQueueServiceGrpc.getCancelMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getCancelMethod = ActionQueueServiceGrpc.getCancelMethod) == null) {
          ActionQueueServiceGrpc.getCancelMethod = getCancelMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.CancelRequest, dev.actionq.v1.CancelResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Cancel"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.CancelRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.CancelResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("Cancel"))
              .build();
        }
      }
    }
    return getCancelMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.SweepRequest,
      dev.actionq.v1.SweepResponse> getSweepMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Sweep",
      requestType = dev.actionq.v1.SweepRequest.class,
      responseType = dev.actionq.v1.SweepResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.SweepRequest,
      dev.actionq.v1.SweepResponse> getSweepMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.SweepRequest, dev.actionq.v1.SweepResponse> getSweepMethod;
    if ((getSweepMethod = ActionQueueServiceGrpc.getSweepMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getSweepMethod = ActionQueueServiceGrpc.getSweepMethod) == null) {
          ActionQueueServiceGrpc.getSweepMethod = getSweepMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.SweepRequest, dev.actionq.v1.SweepResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Sweep"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.SweepRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.SweepResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("Sweep"))
              .build();
        }
      }
    }
    return getSweepMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.ListEventsRequest,
      dev.actionq.v1.ListEventsResponse> getListEventsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListEvents",
      requestType = dev.actionq.v1.ListEventsRequest.class,
      responseType = dev.actionq.v1.ListEventsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.ListEventsRequest,
      dev.actionq.v1.ListEventsResponse> getListEventsMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.ListEventsRequest, dev.actionq.v1.ListEventsResponse> getListEventsMethod;
    if ((getListEventsMethod = ActionQueueServiceGrpc.getListEventsMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getListEventsMethod = ActionQueueServiceGrpc.getListEventsMethod) == null) {
          ActionQueueServiceGrpc.getListEventsMethod = getListEventsMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.ListEventsRequest, dev.actionq.v1.ListEventsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListEvents"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.ListEventsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.ListEventsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("ListEvents"))
              .build();
        }
      }
    }
    return getListEventsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.WatchEventsRequest,
      dev.actionq.v1.WatchEventsResponse> getWatchEventsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "WatchEvents",
      requestType = dev.actionq.v1.WatchEventsRequest.class,
      responseType = dev.actionq.v1.WatchEventsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.WatchEventsRequest,
      dev.actionq.v1.WatchEventsResponse> getWatchEventsMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.WatchEventsRequest, dev.actionq.v1.WatchEventsResponse> getWatchEventsMethod;
    if ((getWatchEventsMethod = ActionQueueServiceGrpc.getWatchEventsMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getWatchEventsMethod = ActionQueueServiceGrpc.getWatchEventsMethod) == null) {
          ActionQueueServiceGrpc.getWatchEventsMethod = getWatchEventsMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.WatchEventsRequest, dev.actionq.v1.WatchEventsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "WatchEvents"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.WatchEventsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.WatchEventsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("WatchEvents"))
              .build();
        }
      }
    }
    return getWatchEventsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.EmitEventRequest,
      dev.actionq.v1.EmitEventResponse> getEmitEventMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "EmitEvent",
      requestType = dev.actionq.v1.EmitEventRequest.class,
      responseType = dev.actionq.v1.EmitEventResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.EmitEventRequest,
      dev.actionq.v1.EmitEventResponse> getEmitEventMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.EmitEventRequest, dev.actionq.v1.EmitEventResponse> getEmitEventMethod;
    if ((getEmitEventMethod = ActionQueueServiceGrpc.getEmitEventMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getEmitEventMethod = ActionQueueServiceGrpc.getEmitEventMethod) == null) {
          ActionQueueServiceGrpc.getEmitEventMethod = getEmitEventMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.EmitEventRequest, dev.actionq.v1.EmitEventResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "EmitEvent"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.EmitEventRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.EmitEventResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("EmitEvent"))
              .build();
        }
      }
    }
    return getEmitEventMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.GetQueueStatsRequest,
      dev.actionq.v1.GetQueueStatsResponse> getGetQueueStatsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetQueueStats",
      requestType = dev.actionq.v1.GetQueueStatsRequest.class,
      responseType = dev.actionq.v1.GetQueueStatsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.GetQueueStatsRequest,
      dev.actionq.v1.GetQueueStatsResponse> getGetQueueStatsMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.GetQueueStatsRequest, dev.actionq.v1.GetQueueStatsResponse> getGetQueueStatsMethod;
    if ((getGetQueueStatsMethod = ActionQueueServiceGrpc.getGetQueueStatsMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getGetQueueStatsMethod = ActionQueueServiceGrpc.getGetQueueStatsMethod) == null) {
          ActionQueueServiceGrpc.getGetQueueStatsMethod = getGetQueueStatsMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.GetQueueStatsRequest, dev.actionq.v1.GetQueueStatsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetQueueStats"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.GetQueueStatsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.GetQueueStatsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("GetQueueStats"))
              .build();
        }
      }
    }
    return getGetQueueStatsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.MigrateRequest,
      dev.actionq.v1.MigrateResponse> getMigrateMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Migrate",
      requestType = dev.actionq.v1.MigrateRequest.class,
      responseType = dev.actionq.v1.MigrateResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.MigrateRequest,
      dev.actionq.v1.MigrateResponse> getMigrateMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.MigrateRequest, dev.actionq.v1.MigrateResponse> getMigrateMethod;
    if ((getMigrateMethod = ActionQueueServiceGrpc.getMigrateMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getMigrateMethod = ActionQueueServiceGrpc.getMigrateMethod) == null) {
          ActionQueueServiceGrpc.getMigrateMethod = getMigrateMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.MigrateRequest, dev.actionq.v1.MigrateResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Migrate"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.MigrateRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.MigrateResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("Migrate"))
              .build();
        }
      }
    }
    return getMigrateMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.RetryRequest,
      dev.actionq.v1.RetryResponse> getRetryMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Retry",
      requestType = dev.actionq.v1.RetryRequest.class,
      responseType = dev.actionq.v1.RetryResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.RetryRequest,
      dev.actionq.v1.RetryResponse> getRetryMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.RetryRequest, dev.actionq.v1.RetryResponse> getRetryMethod;
    if ((getRetryMethod = ActionQueueServiceGrpc.getRetryMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getRetryMethod = ActionQueueServiceGrpc.getRetryMethod) == null) {
          ActionQueueServiceGrpc.getRetryMethod = getRetryMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.RetryRequest, dev.actionq.v1.RetryResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Retry"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.RetryRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.RetryResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("Retry"))
              .build();
        }
      }
    }
    return getRetryMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.WaitActionRequest,
      dev.actionq.v1.WaitActionResponse> getWaitActionMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "WaitAction",
      requestType = dev.actionq.v1.WaitActionRequest.class,
      responseType = dev.actionq.v1.WaitActionResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.WaitActionRequest,
      dev.actionq.v1.WaitActionResponse> getWaitActionMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.WaitActionRequest, dev.actionq.v1.WaitActionResponse> getWaitActionMethod;
    if ((getWaitActionMethod = ActionQueueServiceGrpc.getWaitActionMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getWaitActionMethod = ActionQueueServiceGrpc.getWaitActionMethod) == null) {
          ActionQueueServiceGrpc.getWaitActionMethod = getWaitActionMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.WaitActionRequest, dev.actionq.v1.WaitActionResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "WaitAction"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.WaitActionRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.WaitActionResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("WaitAction"))
              .build();
        }
      }
    }
    return getWaitActionMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.ListQueuesRequest,
      dev.actionq.v1.ListQueuesResponse> getListQueuesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListQueues",
      requestType = dev.actionq.v1.ListQueuesRequest.class,
      responseType = dev.actionq.v1.ListQueuesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.ListQueuesRequest,
      dev.actionq.v1.ListQueuesResponse> getListQueuesMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.ListQueuesRequest, dev.actionq.v1.ListQueuesResponse> getListQueuesMethod;
    if ((getListQueuesMethod = ActionQueueServiceGrpc.getListQueuesMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getListQueuesMethod = ActionQueueServiceGrpc.getListQueuesMethod) == null) {
          ActionQueueServiceGrpc.getListQueuesMethod = getListQueuesMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.ListQueuesRequest, dev.actionq.v1.ListQueuesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListQueues"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.ListQueuesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.ListQueuesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("ListQueues"))
              .build();
        }
      }
    }
    return getListQueuesMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.UpdateQueueRequest,
      dev.actionq.v1.UpdateQueueResponse> getUpdateQueueMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "UpdateQueue",
      requestType = dev.actionq.v1.UpdateQueueRequest.class,
      responseType = dev.actionq.v1.UpdateQueueResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.UpdateQueueRequest,
      dev.actionq.v1.UpdateQueueResponse> getUpdateQueueMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.UpdateQueueRequest, dev.actionq.v1.UpdateQueueResponse> getUpdateQueueMethod;
    if ((getUpdateQueueMethod = ActionQueueServiceGrpc.getUpdateQueueMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getUpdateQueueMethod = ActionQueueServiceGrpc.getUpdateQueueMethod) == null) {
          ActionQueueServiceGrpc.getUpdateQueueMethod = getUpdateQueueMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.UpdateQueueRequest, dev.actionq.v1.UpdateQueueResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "UpdateQueue"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.UpdateQueueRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.UpdateQueueResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("UpdateQueue"))
              .build();
        }
      }
    }
    return getUpdateQueueMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.PauseQueueRequest,
      dev.actionq.v1.PauseQueueResponse> getPauseQueueMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "PauseQueue",
      requestType = dev.actionq.v1.PauseQueueRequest.class,
      responseType = dev.actionq.v1.PauseQueueResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.PauseQueueRequest,
      dev.actionq.v1.PauseQueueResponse> getPauseQueueMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.PauseQueueRequest, dev.actionq.v1.PauseQueueResponse> getPauseQueueMethod;
    if ((getPauseQueueMethod = ActionQueueServiceGrpc.getPauseQueueMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getPauseQueueMethod = ActionQueueServiceGrpc.getPauseQueueMethod) == null) {
          ActionQueueServiceGrpc.getPauseQueueMethod = getPauseQueueMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.PauseQueueRequest, dev.actionq.v1.PauseQueueResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "PauseQueue"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.PauseQueueRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.PauseQueueResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("PauseQueue"))
              .build();
        }
      }
    }
    return getPauseQueueMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.ResumeQueueRequest,
      dev.actionq.v1.ResumeQueueResponse> getResumeQueueMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ResumeQueue",
      requestType = dev.actionq.v1.ResumeQueueRequest.class,
      responseType = dev.actionq.v1.ResumeQueueResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.ResumeQueueRequest,
      dev.actionq.v1.ResumeQueueResponse> getResumeQueueMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.ResumeQueueRequest, dev.actionq.v1.ResumeQueueResponse> getResumeQueueMethod;
    if ((getResumeQueueMethod = ActionQueueServiceGrpc.getResumeQueueMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getResumeQueueMethod = ActionQueueServiceGrpc.getResumeQueueMethod) == null) {
          ActionQueueServiceGrpc.getResumeQueueMethod = getResumeQueueMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.ResumeQueueRequest, dev.actionq.v1.ResumeQueueResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ResumeQueue"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.ResumeQueueRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.ResumeQueueResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("ResumeQueue"))
              .build();
        }
      }
    }
    return getResumeQueueMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.PruneRequest,
      dev.actionq.v1.PruneResponse> getPruneMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Prune",
      requestType = dev.actionq.v1.PruneRequest.class,
      responseType = dev.actionq.v1.PruneResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.PruneRequest,
      dev.actionq.v1.PruneResponse> getPruneMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.PruneRequest, dev.actionq.v1.PruneResponse> getPruneMethod;
    if ((getPruneMethod = ActionQueueServiceGrpc.getPruneMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getPruneMethod = ActionQueueServiceGrpc.getPruneMethod) == null) {
          ActionQueueServiceGrpc.getPruneMethod = getPruneMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.PruneRequest, dev.actionq.v1.PruneResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Prune"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.PruneRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.PruneResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("Prune"))
              .build();
        }
      }
    }
    return getPruneMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.SaveCheckpointRequest,
      dev.actionq.v1.SaveCheckpointResponse> getSaveCheckpointMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "SaveCheckpoint",
      requestType = dev.actionq.v1.SaveCheckpointRequest.class,
      responseType = dev.actionq.v1.SaveCheckpointResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.SaveCheckpointRequest,
      dev.actionq.v1.SaveCheckpointResponse> getSaveCheckpointMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.SaveCheckpointRequest, dev.actionq.v1.SaveCheckpointResponse> getSaveCheckpointMethod;
    if ((getSaveCheckpointMethod = ActionQueueServiceGrpc.getSaveCheckpointMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getSaveCheckpointMethod = ActionQueueServiceGrpc.getSaveCheckpointMethod) == null) {
          ActionQueueServiceGrpc.getSaveCheckpointMethod = getSaveCheckpointMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.SaveCheckpointRequest, dev.actionq.v1.SaveCheckpointResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "SaveCheckpoint"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.SaveCheckpointRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.SaveCheckpointResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("SaveCheckpoint"))
              .build();
        }
      }
    }
    return getSaveCheckpointMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.GetCheckpointsRequest,
      dev.actionq.v1.GetCheckpointsResponse> getGetCheckpointsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetCheckpoints",
      requestType = dev.actionq.v1.GetCheckpointsRequest.class,
      responseType = dev.actionq.v1.GetCheckpointsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.GetCheckpointsRequest,
      dev.actionq.v1.GetCheckpointsResponse> getGetCheckpointsMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.GetCheckpointsRequest, dev.actionq.v1.GetCheckpointsResponse> getGetCheckpointsMethod;
    if ((getGetCheckpointsMethod = ActionQueueServiceGrpc.getGetCheckpointsMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getGetCheckpointsMethod = ActionQueueServiceGrpc.getGetCheckpointsMethod) == null) {
          ActionQueueServiceGrpc.getGetCheckpointsMethod = getGetCheckpointsMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.GetCheckpointsRequest, dev.actionq.v1.GetCheckpointsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetCheckpoints"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.GetCheckpointsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.GetCheckpointsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("GetCheckpoints"))
              .build();
        }
      }
    }
    return getGetCheckpointsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.CreateScheduleRequest,
      dev.actionq.v1.CreateScheduleResponse> getCreateScheduleMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateSchedule",
      requestType = dev.actionq.v1.CreateScheduleRequest.class,
      responseType = dev.actionq.v1.CreateScheduleResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.CreateScheduleRequest,
      dev.actionq.v1.CreateScheduleResponse> getCreateScheduleMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.CreateScheduleRequest, dev.actionq.v1.CreateScheduleResponse> getCreateScheduleMethod;
    if ((getCreateScheduleMethod = ActionQueueServiceGrpc.getCreateScheduleMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getCreateScheduleMethod = ActionQueueServiceGrpc.getCreateScheduleMethod) == null) {
          ActionQueueServiceGrpc.getCreateScheduleMethod = getCreateScheduleMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.CreateScheduleRequest, dev.actionq.v1.CreateScheduleResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateSchedule"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.CreateScheduleRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.CreateScheduleResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("CreateSchedule"))
              .build();
        }
      }
    }
    return getCreateScheduleMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.ListSchedulesRequest,
      dev.actionq.v1.ListSchedulesResponse> getListSchedulesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListSchedules",
      requestType = dev.actionq.v1.ListSchedulesRequest.class,
      responseType = dev.actionq.v1.ListSchedulesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.ListSchedulesRequest,
      dev.actionq.v1.ListSchedulesResponse> getListSchedulesMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.ListSchedulesRequest, dev.actionq.v1.ListSchedulesResponse> getListSchedulesMethod;
    if ((getListSchedulesMethod = ActionQueueServiceGrpc.getListSchedulesMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getListSchedulesMethod = ActionQueueServiceGrpc.getListSchedulesMethod) == null) {
          ActionQueueServiceGrpc.getListSchedulesMethod = getListSchedulesMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.ListSchedulesRequest, dev.actionq.v1.ListSchedulesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListSchedules"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.ListSchedulesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.ListSchedulesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("ListSchedules"))
              .build();
        }
      }
    }
    return getListSchedulesMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.PauseScheduleRequest,
      dev.actionq.v1.PauseScheduleResponse> getPauseScheduleMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "PauseSchedule",
      requestType = dev.actionq.v1.PauseScheduleRequest.class,
      responseType = dev.actionq.v1.PauseScheduleResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.PauseScheduleRequest,
      dev.actionq.v1.PauseScheduleResponse> getPauseScheduleMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.PauseScheduleRequest, dev.actionq.v1.PauseScheduleResponse> getPauseScheduleMethod;
    if ((getPauseScheduleMethod = ActionQueueServiceGrpc.getPauseScheduleMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getPauseScheduleMethod = ActionQueueServiceGrpc.getPauseScheduleMethod) == null) {
          ActionQueueServiceGrpc.getPauseScheduleMethod = getPauseScheduleMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.PauseScheduleRequest, dev.actionq.v1.PauseScheduleResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "PauseSchedule"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.PauseScheduleRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.PauseScheduleResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("PauseSchedule"))
              .build();
        }
      }
    }
    return getPauseScheduleMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.ResumeScheduleRequest,
      dev.actionq.v1.ResumeScheduleResponse> getResumeScheduleMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ResumeSchedule",
      requestType = dev.actionq.v1.ResumeScheduleRequest.class,
      responseType = dev.actionq.v1.ResumeScheduleResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.ResumeScheduleRequest,
      dev.actionq.v1.ResumeScheduleResponse> getResumeScheduleMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.ResumeScheduleRequest, dev.actionq.v1.ResumeScheduleResponse> getResumeScheduleMethod;
    if ((getResumeScheduleMethod = ActionQueueServiceGrpc.getResumeScheduleMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getResumeScheduleMethod = ActionQueueServiceGrpc.getResumeScheduleMethod) == null) {
          ActionQueueServiceGrpc.getResumeScheduleMethod = getResumeScheduleMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.ResumeScheduleRequest, dev.actionq.v1.ResumeScheduleResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ResumeSchedule"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.ResumeScheduleRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.ResumeScheduleResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("ResumeSchedule"))
              .build();
        }
      }
    }
    return getResumeScheduleMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.DeleteScheduleRequest,
      dev.actionq.v1.DeleteScheduleResponse> getDeleteScheduleMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteSchedule",
      requestType = dev.actionq.v1.DeleteScheduleRequest.class,
      responseType = dev.actionq.v1.DeleteScheduleResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.DeleteScheduleRequest,
      dev.actionq.v1.DeleteScheduleResponse> getDeleteScheduleMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.DeleteScheduleRequest, dev.actionq.v1.DeleteScheduleResponse> getDeleteScheduleMethod;
    if ((getDeleteScheduleMethod = ActionQueueServiceGrpc.getDeleteScheduleMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getDeleteScheduleMethod = ActionQueueServiceGrpc.getDeleteScheduleMethod) == null) {
          ActionQueueServiceGrpc.getDeleteScheduleMethod = getDeleteScheduleMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.DeleteScheduleRequest, dev.actionq.v1.DeleteScheduleResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteSchedule"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.DeleteScheduleRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.DeleteScheduleResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("DeleteSchedule"))
              .build();
        }
      }
    }
    return getDeleteScheduleMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.SuspendRequest,
      dev.actionq.v1.SuspendResponse> getSuspendMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Suspend",
      requestType = dev.actionq.v1.SuspendRequest.class,
      responseType = dev.actionq.v1.SuspendResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.SuspendRequest,
      dev.actionq.v1.SuspendResponse> getSuspendMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.SuspendRequest, dev.actionq.v1.SuspendResponse> getSuspendMethod;
    if ((getSuspendMethod = ActionQueueServiceGrpc.getSuspendMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getSuspendMethod = ActionQueueServiceGrpc.getSuspendMethod) == null) {
          ActionQueueServiceGrpc.getSuspendMethod = getSuspendMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.SuspendRequest, dev.actionq.v1.SuspendResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Suspend"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.SuspendRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.SuspendResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("Suspend"))
              .build();
        }
      }
    }
    return getSuspendMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.SignalRequest,
      dev.actionq.v1.SignalResponse> getSignalMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Signal",
      requestType = dev.actionq.v1.SignalRequest.class,
      responseType = dev.actionq.v1.SignalResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.SignalRequest,
      dev.actionq.v1.SignalResponse> getSignalMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.SignalRequest, dev.actionq.v1.SignalResponse> getSignalMethod;
    if ((getSignalMethod = ActionQueueServiceGrpc.getSignalMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getSignalMethod = ActionQueueServiceGrpc.getSignalMethod) == null) {
          ActionQueueServiceGrpc.getSignalMethod = getSignalMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.SignalRequest, dev.actionq.v1.SignalResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Signal"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.SignalRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.SignalResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("Signal"))
              .build();
        }
      }
    }
    return getSignalMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.GetWorkflowRequest,
      dev.actionq.v1.GetWorkflowResponse> getGetWorkflowMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetWorkflow",
      requestType = dev.actionq.v1.GetWorkflowRequest.class,
      responseType = dev.actionq.v1.GetWorkflowResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.GetWorkflowRequest,
      dev.actionq.v1.GetWorkflowResponse> getGetWorkflowMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.GetWorkflowRequest, dev.actionq.v1.GetWorkflowResponse> getGetWorkflowMethod;
    if ((getGetWorkflowMethod = ActionQueueServiceGrpc.getGetWorkflowMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getGetWorkflowMethod = ActionQueueServiceGrpc.getGetWorkflowMethod) == null) {
          ActionQueueServiceGrpc.getGetWorkflowMethod = getGetWorkflowMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.GetWorkflowRequest, dev.actionq.v1.GetWorkflowResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetWorkflow"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.GetWorkflowRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.GetWorkflowResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("GetWorkflow"))
              .build();
        }
      }
    }
    return getGetWorkflowMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.SetQueueLimitsRequest,
      dev.actionq.v1.SetQueueLimitsResponse> getSetQueueLimitsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "SetQueueLimits",
      requestType = dev.actionq.v1.SetQueueLimitsRequest.class,
      responseType = dev.actionq.v1.SetQueueLimitsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.SetQueueLimitsRequest,
      dev.actionq.v1.SetQueueLimitsResponse> getSetQueueLimitsMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.SetQueueLimitsRequest, dev.actionq.v1.SetQueueLimitsResponse> getSetQueueLimitsMethod;
    if ((getSetQueueLimitsMethod = ActionQueueServiceGrpc.getSetQueueLimitsMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getSetQueueLimitsMethod = ActionQueueServiceGrpc.getSetQueueLimitsMethod) == null) {
          ActionQueueServiceGrpc.getSetQueueLimitsMethod = getSetQueueLimitsMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.SetQueueLimitsRequest, dev.actionq.v1.SetQueueLimitsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "SetQueueLimits"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.SetQueueLimitsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.SetQueueLimitsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("SetQueueLimits"))
              .build();
        }
      }
    }
    return getSetQueueLimitsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.CreateTokenRequest,
      dev.actionq.v1.CreateTokenResponse> getCreateTokenMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateToken",
      requestType = dev.actionq.v1.CreateTokenRequest.class,
      responseType = dev.actionq.v1.CreateTokenResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.CreateTokenRequest,
      dev.actionq.v1.CreateTokenResponse> getCreateTokenMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.CreateTokenRequest, dev.actionq.v1.CreateTokenResponse> getCreateTokenMethod;
    if ((getCreateTokenMethod = ActionQueueServiceGrpc.getCreateTokenMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getCreateTokenMethod = ActionQueueServiceGrpc.getCreateTokenMethod) == null) {
          ActionQueueServiceGrpc.getCreateTokenMethod = getCreateTokenMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.CreateTokenRequest, dev.actionq.v1.CreateTokenResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateToken"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.CreateTokenRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.CreateTokenResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("CreateToken"))
              .build();
        }
      }
    }
    return getCreateTokenMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.ListTokensRequest,
      dev.actionq.v1.ListTokensResponse> getListTokensMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListTokens",
      requestType = dev.actionq.v1.ListTokensRequest.class,
      responseType = dev.actionq.v1.ListTokensResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.ListTokensRequest,
      dev.actionq.v1.ListTokensResponse> getListTokensMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.ListTokensRequest, dev.actionq.v1.ListTokensResponse> getListTokensMethod;
    if ((getListTokensMethod = ActionQueueServiceGrpc.getListTokensMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getListTokensMethod = ActionQueueServiceGrpc.getListTokensMethod) == null) {
          ActionQueueServiceGrpc.getListTokensMethod = getListTokensMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.ListTokensRequest, dev.actionq.v1.ListTokensResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListTokens"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.ListTokensRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.ListTokensResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("ListTokens"))
              .build();
        }
      }
    }
    return getListTokensMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.actionq.v1.RevokeTokenRequest,
      dev.actionq.v1.RevokeTokenResponse> getRevokeTokenMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RevokeToken",
      requestType = dev.actionq.v1.RevokeTokenRequest.class,
      responseType = dev.actionq.v1.RevokeTokenResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.actionq.v1.RevokeTokenRequest,
      dev.actionq.v1.RevokeTokenResponse> getRevokeTokenMethod() {
    io.grpc.MethodDescriptor<dev.actionq.v1.RevokeTokenRequest, dev.actionq.v1.RevokeTokenResponse> getRevokeTokenMethod;
    if ((getRevokeTokenMethod = ActionQueueServiceGrpc.getRevokeTokenMethod) == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        if ((getRevokeTokenMethod = ActionQueueServiceGrpc.getRevokeTokenMethod) == null) {
          ActionQueueServiceGrpc.getRevokeTokenMethod = getRevokeTokenMethod =
              io.grpc.MethodDescriptor.<dev.actionq.v1.RevokeTokenRequest, dev.actionq.v1.RevokeTokenResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RevokeToken"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.RevokeTokenRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.actionq.v1.RevokeTokenResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ActionQueueServiceMethodDescriptorSupplier("RevokeToken"))
              .build();
        }
      }
    }
    return getRevokeTokenMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static ActionQueueServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<ActionQueueServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<ActionQueueServiceStub>() {
        @java.lang.Override
        public ActionQueueServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new ActionQueueServiceStub(channel, callOptions);
        }
      };
    return ActionQueueServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static ActionQueueServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<ActionQueueServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<ActionQueueServiceBlockingV2Stub>() {
        @java.lang.Override
        public ActionQueueServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new ActionQueueServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return ActionQueueServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static ActionQueueServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<ActionQueueServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<ActionQueueServiceBlockingStub>() {
        @java.lang.Override
        public ActionQueueServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new ActionQueueServiceBlockingStub(channel, callOptions);
        }
      };
    return ActionQueueServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static ActionQueueServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<ActionQueueServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<ActionQueueServiceFutureStub>() {
        @java.lang.Override
        public ActionQueueServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new ActionQueueServiceFutureStub(channel, callOptions);
        }
      };
    return ActionQueueServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * ActionQueueService is the whole API of actionq: producers enqueue, workers
   * claim and finish under a lease, operators inspect and intervene, and
   * coordinators follow the event log.
   * Errors: INVALID_ARGUMENT names the bad field (also for a message that does
   * not parse); NOT_FOUND an unknown id; FAILED_PRECONDITION an illegal
   * transition, a stale lease or a chain that is too deep; ABORTED a concurrent
   * change (retry); ALREADY_EXISTS a request_id reused for another request;
   * RESOURCE_EXHAUSTED a producer over its rate limit (with
   * google.rpc.RetryInfo); UNAVAILABLE the database is down or the server is
   * draining (retryable). Every error carries a google.rpc.ErrorInfo with domain
   * "actionq.dev" and a reason from ErrorReason (errors.proto); clients branch
   * on the reason, never on the message text.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * Enqueue stores one or more actions atomically: all of them or none. With
     * a request_id, a retried call (after a lost reply) returns the first
     * call's outcome instead of storing the actions again.
     * </pre>
     */
    default void enqueue(dev.actionq.v1.EnqueueRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.EnqueueResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getEnqueueMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetAction returns one action.
     * </pre>
     */
    default void getAction(dev.actionq.v1.GetActionRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.GetActionResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetActionMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListActions lists actions by id, filtered, one page at a time.
     * </pre>
     */
    default void listActions(dev.actionq.v1.ListActionsRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.ListActionsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListActionsMethod(), responseObserver);
    }

    /**
     * <pre>
     * Claim leases up to max_actions due pending actions, in priority, run_after,
     * id order, waiting up to `wait` for work to arrive when none is due.
     * </pre>
     */
    default void claim(dev.actionq.v1.ClaimRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.ClaimResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getClaimMethod(), responseObserver);
    }

    /**
     * <pre>
     * Heartbeat extends the lease of a claimed action.
     * </pre>
     */
    default void heartbeat(dev.actionq.v1.HeartbeatRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.HeartbeatResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getHeartbeatMethod(), responseObserver);
    }

    /**
     * <pre>
     * Complete marks a claimed action completed.
     * </pre>
     */
    default void complete(dev.actionq.v1.CompleteRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.CompleteResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCompleteMethod(), responseObserver);
    }

    /**
     * <pre>
     * CompleteMany completes several claimed actions in one transaction. Each
     * item is checked as Complete checks it; refused items are reported in
     * `failures` and do not stop the others. Worker helpers use it to send
     * completions in batches.
     * </pre>
     */
    default void completeMany(dev.actionq.v1.CompleteManyRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.CompleteManyResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCompleteManyMethod(), responseObserver);
    }

    /**
     * <pre>
     * Fail records a failed attempt: while attempts remain the action goes back
     * to pending at now + backoff (event action_retry_scheduled), otherwise, or
     * with no_retry, it ends as failed (event action_failed).
     * </pre>
     */
    default void fail(dev.actionq.v1.FailRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.FailResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getFailMethod(), responseObserver);
    }

    /**
     * <pre>
     * Reject marks a claimed action rejected by a validator; it is never retried.
     * </pre>
     */
    default void reject(dev.actionq.v1.RejectRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.RejectResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRejectMethod(), responseObserver);
    }

    /**
     * <pre>
     * Cancel cancels a pending or claimed action.
     * </pre>
     */
    default void cancel(dev.actionq.v1.CancelRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.CancelResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCancelMethod(), responseObserver);
    }

    /**
     * <pre>
     * Sweep requeues every claimed action whose lease has expired; one whose
     * attempts are spent ends as failed ("lease expired") instead.
     * </pre>
     */
    default void sweep(dev.actionq.v1.SweepRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.SweepResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSweepMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListEvents reads the event log after a cursor, one page at a time.
     * </pre>
     */
    default void listEvents(dev.actionq.v1.ListEventsRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.ListEventsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListEventsMethod(), responseObserver);
    }

    /**
     * <pre>
     * WatchEvents replays the log after a cursor, then follows it live. Every
     * event after the cursor arrives exactly once, in cursor order.
     * </pre>
     */
    default void watchEvents(dev.actionq.v1.WatchEventsRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.WatchEventsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getWatchEventsMethod(), responseObserver);
    }

    /**
     * <pre>
     * EmitEvent appends a coordinator event to the log.
     * </pre>
     */
    default void emitEvent(dev.actionq.v1.EmitEventRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.EmitEventResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getEmitEventMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetQueueStats counts actions per queue, action type and status.
     * </pre>
     */
    default void getQueueStats(dev.actionq.v1.GetQueueStatsRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.GetQueueStatsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetQueueStatsMethod(), responseObserver);
    }

    /**
     * <pre>
     * Migrate creates or upgrades the schema; idempotent.
     * </pre>
     */
    default void migrate(dev.actionq.v1.MigrateRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.MigrateResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getMigrateMethod(), responseObserver);
    }

    /**
     * <pre>
     * Retry puts dead actions (failed, rejected, cancelled) back to pending with
     * fresh attempts, by id or by filter; event action_retried names who asked.
     * </pre>
     */
    default void retry(dev.actionq.v1.RetryRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.RetryResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRetryMethod(), responseObserver);
    }

    /**
     * <pre>
     * WaitAction returns as soon as every named action is in a terminal status
     * (completed, failed, rejected, cancelled), or DEADLINE_EXCEEDED /
     * WAIT_TIMEOUT when the timeout passes first.
     * </pre>
     */
    default void waitAction(dev.actionq.v1.WaitActionRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.WaitActionResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getWaitActionMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListQueues lists every queue with its settings and live counts.
     * </pre>
     */
    default void listQueues(dev.actionq.v1.ListQueuesRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.ListQueuesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListQueuesMethod(), responseObserver);
    }

    /**
     * <pre>
     * UpdateQueue sets a queue's defaults (max_attempts, backoff, lease),
     * creating the queue when it does not exist; event queue_updated.
     * </pre>
     */
    default void updateQueue(dev.actionq.v1.UpdateQueueRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.UpdateQueueResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getUpdateQueueMethod(), responseObserver);
    }

    /**
     * <pre>
     * PauseQueue stops claiming from a queue (enqueuing continues); event
     * queue_paused. Pausing a paused queue changes nothing.
     * </pre>
     */
    default void pauseQueue(dev.actionq.v1.PauseQueueRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.PauseQueueResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getPauseQueueMethod(), responseObserver);
    }

    /**
     * <pre>
     * ResumeQueue lets claiming from a paused queue continue and wakes the
     * claims waiting on it; event queue_resumed.
     * </pre>
     */
    default void resumeQueue(dev.actionq.v1.ResumeQueueRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.ResumeQueueResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getResumeQueueMethod(), responseObserver);
    }

    /**
     * <pre>
     * Prune deletes finished actions older than a cutoff, in one bounded batch
     * per call, and drops the event log's partitions that lie wholly before it.
     * </pre>
     */
    default void prune(dev.actionq.v1.PruneRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.PruneResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getPruneMethod(), responseObserver);
    }

    /**
     * <pre>
     * SaveCheckpoint stores a step's state for a claimed action under the
     * caller's lease (a stale lease is refused); saving a step again replaces
     * its state. Event checkpoint_saved.
     * </pre>
     */
    default void saveCheckpoint(dev.actionq.v1.SaveCheckpointRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.SaveCheckpointResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSaveCheckpointMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetCheckpoints lists an action's checkpoints, oldest step first, from
     * every attempt.
     * </pre>
     */
    default void getCheckpoints(dev.actionq.v1.GetCheckpointsRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.GetCheckpointsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetCheckpointsMethod(), responseObserver);
    }

    /**
     * <pre>
     * CreateSchedule creates a cron schedule (or replaces one, with replace);
     * event schedule_created.
     * </pre>
     */
    default void createSchedule(dev.actionq.v1.CreateScheduleRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.CreateScheduleResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateScheduleMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListSchedules lists every schedule by name.
     * </pre>
     */
    default void listSchedules(dev.actionq.v1.ListSchedulesRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.ListSchedulesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListSchedulesMethod(), responseObserver);
    }

    /**
     * <pre>
     * PauseSchedule stops a schedule's ticks; event schedule_paused.
     * </pre>
     */
    default void pauseSchedule(dev.actionq.v1.PauseScheduleRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.PauseScheduleResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getPauseScheduleMethod(), responseObserver);
    }

    /**
     * <pre>
     * ResumeSchedule restarts a schedule from the next tick after now (missed
     * ticks are not caught up); event schedule_resumed.
     * </pre>
     */
    default void resumeSchedule(dev.actionq.v1.ResumeScheduleRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.ResumeScheduleResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getResumeScheduleMethod(), responseObserver);
    }

    /**
     * <pre>
     * DeleteSchedule removes a schedule; actions it enqueued stay. Event
     * schedule_deleted.
     * </pre>
     */
    default void deleteSchedule(dev.actionq.v1.DeleteScheduleRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.DeleteScheduleResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteScheduleMethod(), responseObserver);
    }

    /**
     * <pre>
     * Suspend gives up a claimed action's lease until a signal arrives, a time
     * passes, or either (a signal with a timeout): status WAITING, event
     * action_waiting, the attempt not used. When the wait's step was woken
     * before (its checkpoint exists) or a kept signal matches, the action stays
     * claimed and the response carries the wake-up at once (suspended false).
     * On waking the action is pending again, the wake-up stored as the step's
     * checkpoint; event action_woken.
     * </pre>
     */
    default void suspend(dev.actionq.v1.SuspendRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.SuspendResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSuspendMethod(), responseObserver);
    }

    /**
     * <pre>
     * Signal wakes the actions waiting for a name (broadcast, or one) and keeps
     * the signal for later waiters; event signal_sent.
     * </pre>
     */
    default void signal(dev.actionq.v1.SignalRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.SignalResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSignalMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetWorkflow returns a workflow run and all its actions.
     * </pre>
     */
    default void getWorkflow(dev.actionq.v1.GetWorkflowRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.GetWorkflowResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetWorkflowMethod(), responseObserver);
    }

    /**
     * <pre>
     * SetQueueLimits sets (or, with concurrency and rate 0, removes) a queue's
     * concurrency and rate limits; event queue_limits_updated.
     * </pre>
     */
    default void setQueueLimits(dev.actionq.v1.SetQueueLimitsRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.SetQueueLimitsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSetQueueLimitsMethod(), responseObserver);
    }

    /**
     * <pre>
     * CreateToken makes an API token and returns its secret, once (admin);
     * event token_created.
     * </pre>
     */
    default void createToken(dev.actionq.v1.CreateTokenRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.CreateTokenResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateTokenMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListTokens lists every token, never a secret (admin).
     * </pre>
     */
    default void listTokens(dev.actionq.v1.ListTokensRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.ListTokensResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListTokensMethod(), responseObserver);
    }

    /**
     * <pre>
     * RevokeToken revokes a token; within a second no server accepts it
     * (admin); event token_revoked.
     * </pre>
     */
    default void revokeToken(dev.actionq.v1.RevokeTokenRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.RevokeTokenResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRevokeTokenMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service ActionQueueService.
   * <pre>
   * ActionQueueService is the whole API of actionq: producers enqueue, workers
   * claim and finish under a lease, operators inspect and intervene, and
   * coordinators follow the event log.
   * Errors: INVALID_ARGUMENT names the bad field (also for a message that does
   * not parse); NOT_FOUND an unknown id; FAILED_PRECONDITION an illegal
   * transition, a stale lease or a chain that is too deep; ABORTED a concurrent
   * change (retry); ALREADY_EXISTS a request_id reused for another request;
   * RESOURCE_EXHAUSTED a producer over its rate limit (with
   * google.rpc.RetryInfo); UNAVAILABLE the database is down or the server is
   * draining (retryable). Every error carries a google.rpc.ErrorInfo with domain
   * "actionq.dev" and a reason from ErrorReason (errors.proto); clients branch
   * on the reason, never on the message text.
   * </pre>
   */
  public static abstract class ActionQueueServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return ActionQueueServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service ActionQueueService.
   * <pre>
   * ActionQueueService is the whole API of actionq: producers enqueue, workers
   * claim and finish under a lease, operators inspect and intervene, and
   * coordinators follow the event log.
   * Errors: INVALID_ARGUMENT names the bad field (also for a message that does
   * not parse); NOT_FOUND an unknown id; FAILED_PRECONDITION an illegal
   * transition, a stale lease or a chain that is too deep; ABORTED a concurrent
   * change (retry); ALREADY_EXISTS a request_id reused for another request;
   * RESOURCE_EXHAUSTED a producer over its rate limit (with
   * google.rpc.RetryInfo); UNAVAILABLE the database is down or the server is
   * draining (retryable). Every error carries a google.rpc.ErrorInfo with domain
   * "actionq.dev" and a reason from ErrorReason (errors.proto); clients branch
   * on the reason, never on the message text.
   * </pre>
   */
  public static final class ActionQueueServiceStub
      extends io.grpc.stub.AbstractAsyncStub<ActionQueueServiceStub> {
    private ActionQueueServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected ActionQueueServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new ActionQueueServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Enqueue stores one or more actions atomically: all of them or none. With
     * a request_id, a retried call (after a lost reply) returns the first
     * call's outcome instead of storing the actions again.
     * </pre>
     */
    public void enqueue(dev.actionq.v1.EnqueueRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.EnqueueResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getEnqueueMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetAction returns one action.
     * </pre>
     */
    public void getAction(dev.actionq.v1.GetActionRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.GetActionResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetActionMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListActions lists actions by id, filtered, one page at a time.
     * </pre>
     */
    public void listActions(dev.actionq.v1.ListActionsRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.ListActionsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListActionsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Claim leases up to max_actions due pending actions, in priority, run_after,
     * id order, waiting up to `wait` for work to arrive when none is due.
     * </pre>
     */
    public void claim(dev.actionq.v1.ClaimRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.ClaimResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getClaimMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Heartbeat extends the lease of a claimed action.
     * </pre>
     */
    public void heartbeat(dev.actionq.v1.HeartbeatRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.HeartbeatResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getHeartbeatMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Complete marks a claimed action completed.
     * </pre>
     */
    public void complete(dev.actionq.v1.CompleteRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.CompleteResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCompleteMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * CompleteMany completes several claimed actions in one transaction. Each
     * item is checked as Complete checks it; refused items are reported in
     * `failures` and do not stop the others. Worker helpers use it to send
     * completions in batches.
     * </pre>
     */
    public void completeMany(dev.actionq.v1.CompleteManyRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.CompleteManyResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCompleteManyMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Fail records a failed attempt: while attempts remain the action goes back
     * to pending at now + backoff (event action_retry_scheduled), otherwise, or
     * with no_retry, it ends as failed (event action_failed).
     * </pre>
     */
    public void fail(dev.actionq.v1.FailRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.FailResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getFailMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Reject marks a claimed action rejected by a validator; it is never retried.
     * </pre>
     */
    public void reject(dev.actionq.v1.RejectRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.RejectResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRejectMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Cancel cancels a pending or claimed action.
     * </pre>
     */
    public void cancel(dev.actionq.v1.CancelRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.CancelResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCancelMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Sweep requeues every claimed action whose lease has expired; one whose
     * attempts are spent ends as failed ("lease expired") instead.
     * </pre>
     */
    public void sweep(dev.actionq.v1.SweepRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.SweepResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSweepMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListEvents reads the event log after a cursor, one page at a time.
     * </pre>
     */
    public void listEvents(dev.actionq.v1.ListEventsRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.ListEventsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListEventsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * WatchEvents replays the log after a cursor, then follows it live. Every
     * event after the cursor arrives exactly once, in cursor order.
     * </pre>
     */
    public void watchEvents(dev.actionq.v1.WatchEventsRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.WatchEventsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncServerStreamingCall(
          getChannel().newCall(getWatchEventsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * EmitEvent appends a coordinator event to the log.
     * </pre>
     */
    public void emitEvent(dev.actionq.v1.EmitEventRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.EmitEventResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getEmitEventMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetQueueStats counts actions per queue, action type and status.
     * </pre>
     */
    public void getQueueStats(dev.actionq.v1.GetQueueStatsRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.GetQueueStatsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetQueueStatsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Migrate creates or upgrades the schema; idempotent.
     * </pre>
     */
    public void migrate(dev.actionq.v1.MigrateRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.MigrateResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getMigrateMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Retry puts dead actions (failed, rejected, cancelled) back to pending with
     * fresh attempts, by id or by filter; event action_retried names who asked.
     * </pre>
     */
    public void retry(dev.actionq.v1.RetryRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.RetryResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRetryMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * WaitAction returns as soon as every named action is in a terminal status
     * (completed, failed, rejected, cancelled), or DEADLINE_EXCEEDED /
     * WAIT_TIMEOUT when the timeout passes first.
     * </pre>
     */
    public void waitAction(dev.actionq.v1.WaitActionRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.WaitActionResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getWaitActionMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListQueues lists every queue with its settings and live counts.
     * </pre>
     */
    public void listQueues(dev.actionq.v1.ListQueuesRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.ListQueuesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListQueuesMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * UpdateQueue sets a queue's defaults (max_attempts, backoff, lease),
     * creating the queue when it does not exist; event queue_updated.
     * </pre>
     */
    public void updateQueue(dev.actionq.v1.UpdateQueueRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.UpdateQueueResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getUpdateQueueMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * PauseQueue stops claiming from a queue (enqueuing continues); event
     * queue_paused. Pausing a paused queue changes nothing.
     * </pre>
     */
    public void pauseQueue(dev.actionq.v1.PauseQueueRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.PauseQueueResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getPauseQueueMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ResumeQueue lets claiming from a paused queue continue and wakes the
     * claims waiting on it; event queue_resumed.
     * </pre>
     */
    public void resumeQueue(dev.actionq.v1.ResumeQueueRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.ResumeQueueResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getResumeQueueMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Prune deletes finished actions older than a cutoff, in one bounded batch
     * per call, and drops the event log's partitions that lie wholly before it.
     * </pre>
     */
    public void prune(dev.actionq.v1.PruneRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.PruneResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getPruneMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * SaveCheckpoint stores a step's state for a claimed action under the
     * caller's lease (a stale lease is refused); saving a step again replaces
     * its state. Event checkpoint_saved.
     * </pre>
     */
    public void saveCheckpoint(dev.actionq.v1.SaveCheckpointRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.SaveCheckpointResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSaveCheckpointMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetCheckpoints lists an action's checkpoints, oldest step first, from
     * every attempt.
     * </pre>
     */
    public void getCheckpoints(dev.actionq.v1.GetCheckpointsRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.GetCheckpointsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetCheckpointsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * CreateSchedule creates a cron schedule (or replaces one, with replace);
     * event schedule_created.
     * </pre>
     */
    public void createSchedule(dev.actionq.v1.CreateScheduleRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.CreateScheduleResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateScheduleMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListSchedules lists every schedule by name.
     * </pre>
     */
    public void listSchedules(dev.actionq.v1.ListSchedulesRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.ListSchedulesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListSchedulesMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * PauseSchedule stops a schedule's ticks; event schedule_paused.
     * </pre>
     */
    public void pauseSchedule(dev.actionq.v1.PauseScheduleRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.PauseScheduleResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getPauseScheduleMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ResumeSchedule restarts a schedule from the next tick after now (missed
     * ticks are not caught up); event schedule_resumed.
     * </pre>
     */
    public void resumeSchedule(dev.actionq.v1.ResumeScheduleRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.ResumeScheduleResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getResumeScheduleMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DeleteSchedule removes a schedule; actions it enqueued stay. Event
     * schedule_deleted.
     * </pre>
     */
    public void deleteSchedule(dev.actionq.v1.DeleteScheduleRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.DeleteScheduleResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteScheduleMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Suspend gives up a claimed action's lease until a signal arrives, a time
     * passes, or either (a signal with a timeout): status WAITING, event
     * action_waiting, the attempt not used. When the wait's step was woken
     * before (its checkpoint exists) or a kept signal matches, the action stays
     * claimed and the response carries the wake-up at once (suspended false).
     * On waking the action is pending again, the wake-up stored as the step's
     * checkpoint; event action_woken.
     * </pre>
     */
    public void suspend(dev.actionq.v1.SuspendRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.SuspendResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSuspendMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Signal wakes the actions waiting for a name (broadcast, or one) and keeps
     * the signal for later waiters; event signal_sent.
     * </pre>
     */
    public void signal(dev.actionq.v1.SignalRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.SignalResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSignalMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetWorkflow returns a workflow run and all its actions.
     * </pre>
     */
    public void getWorkflow(dev.actionq.v1.GetWorkflowRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.GetWorkflowResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetWorkflowMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * SetQueueLimits sets (or, with concurrency and rate 0, removes) a queue's
     * concurrency and rate limits; event queue_limits_updated.
     * </pre>
     */
    public void setQueueLimits(dev.actionq.v1.SetQueueLimitsRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.SetQueueLimitsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSetQueueLimitsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * CreateToken makes an API token and returns its secret, once (admin);
     * event token_created.
     * </pre>
     */
    public void createToken(dev.actionq.v1.CreateTokenRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.CreateTokenResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateTokenMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListTokens lists every token, never a secret (admin).
     * </pre>
     */
    public void listTokens(dev.actionq.v1.ListTokensRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.ListTokensResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListTokensMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RevokeToken revokes a token; within a second no server accepts it
     * (admin); event token_revoked.
     * </pre>
     */
    public void revokeToken(dev.actionq.v1.RevokeTokenRequest request,
        io.grpc.stub.StreamObserver<dev.actionq.v1.RevokeTokenResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRevokeTokenMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service ActionQueueService.
   * <pre>
   * ActionQueueService is the whole API of actionq: producers enqueue, workers
   * claim and finish under a lease, operators inspect and intervene, and
   * coordinators follow the event log.
   * Errors: INVALID_ARGUMENT names the bad field (also for a message that does
   * not parse); NOT_FOUND an unknown id; FAILED_PRECONDITION an illegal
   * transition, a stale lease or a chain that is too deep; ABORTED a concurrent
   * change (retry); ALREADY_EXISTS a request_id reused for another request;
   * RESOURCE_EXHAUSTED a producer over its rate limit (with
   * google.rpc.RetryInfo); UNAVAILABLE the database is down or the server is
   * draining (retryable). Every error carries a google.rpc.ErrorInfo with domain
   * "actionq.dev" and a reason from ErrorReason (errors.proto); clients branch
   * on the reason, never on the message text.
   * </pre>
   */
  public static final class ActionQueueServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<ActionQueueServiceBlockingV2Stub> {
    private ActionQueueServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected ActionQueueServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new ActionQueueServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * Enqueue stores one or more actions atomically: all of them or none. With
     * a request_id, a retried call (after a lost reply) returns the first
     * call's outcome instead of storing the actions again.
     * </pre>
     */
    public dev.actionq.v1.EnqueueResponse enqueue(dev.actionq.v1.EnqueueRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getEnqueueMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetAction returns one action.
     * </pre>
     */
    public dev.actionq.v1.GetActionResponse getAction(dev.actionq.v1.GetActionRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetActionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListActions lists actions by id, filtered, one page at a time.
     * </pre>
     */
    public dev.actionq.v1.ListActionsResponse listActions(dev.actionq.v1.ListActionsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListActionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Claim leases up to max_actions due pending actions, in priority, run_after,
     * id order, waiting up to `wait` for work to arrive when none is due.
     * </pre>
     */
    public dev.actionq.v1.ClaimResponse claim(dev.actionq.v1.ClaimRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getClaimMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Heartbeat extends the lease of a claimed action.
     * </pre>
     */
    public dev.actionq.v1.HeartbeatResponse heartbeat(dev.actionq.v1.HeartbeatRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getHeartbeatMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Complete marks a claimed action completed.
     * </pre>
     */
    public dev.actionq.v1.CompleteResponse complete(dev.actionq.v1.CompleteRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCompleteMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CompleteMany completes several claimed actions in one transaction. Each
     * item is checked as Complete checks it; refused items are reported in
     * `failures` and do not stop the others. Worker helpers use it to send
     * completions in batches.
     * </pre>
     */
    public dev.actionq.v1.CompleteManyResponse completeMany(dev.actionq.v1.CompleteManyRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCompleteManyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Fail records a failed attempt: while attempts remain the action goes back
     * to pending at now + backoff (event action_retry_scheduled), otherwise, or
     * with no_retry, it ends as failed (event action_failed).
     * </pre>
     */
    public dev.actionq.v1.FailResponse fail(dev.actionq.v1.FailRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getFailMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Reject marks a claimed action rejected by a validator; it is never retried.
     * </pre>
     */
    public dev.actionq.v1.RejectResponse reject(dev.actionq.v1.RejectRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRejectMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Cancel cancels a pending or claimed action.
     * </pre>
     */
    public dev.actionq.v1.CancelResponse cancel(dev.actionq.v1.CancelRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCancelMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Sweep requeues every claimed action whose lease has expired; one whose
     * attempts are spent ends as failed ("lease expired") instead.
     * </pre>
     */
    public dev.actionq.v1.SweepResponse sweep(dev.actionq.v1.SweepRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getSweepMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListEvents reads the event log after a cursor, one page at a time.
     * </pre>
     */
    public dev.actionq.v1.ListEventsResponse listEvents(dev.actionq.v1.ListEventsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListEventsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * WatchEvents replays the log after a cursor, then follows it live. Every
     * event after the cursor arrives exactly once, in cursor order.
     * </pre>
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<?, dev.actionq.v1.WatchEventsResponse>
        watchEvents(dev.actionq.v1.WatchEventsRequest request) {
      return io.grpc.stub.ClientCalls.blockingV2ServerStreamingCall(
          getChannel(), getWatchEventsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * EmitEvent appends a coordinator event to the log.
     * </pre>
     */
    public dev.actionq.v1.EmitEventResponse emitEvent(dev.actionq.v1.EmitEventRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getEmitEventMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetQueueStats counts actions per queue, action type and status.
     * </pre>
     */
    public dev.actionq.v1.GetQueueStatsResponse getQueueStats(dev.actionq.v1.GetQueueStatsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetQueueStatsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Migrate creates or upgrades the schema; idempotent.
     * </pre>
     */
    public dev.actionq.v1.MigrateResponse migrate(dev.actionq.v1.MigrateRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getMigrateMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Retry puts dead actions (failed, rejected, cancelled) back to pending with
     * fresh attempts, by id or by filter; event action_retried names who asked.
     * </pre>
     */
    public dev.actionq.v1.RetryResponse retry(dev.actionq.v1.RetryRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRetryMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * WaitAction returns as soon as every named action is in a terminal status
     * (completed, failed, rejected, cancelled), or DEADLINE_EXCEEDED /
     * WAIT_TIMEOUT when the timeout passes first.
     * </pre>
     */
    public dev.actionq.v1.WaitActionResponse waitAction(dev.actionq.v1.WaitActionRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getWaitActionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListQueues lists every queue with its settings and live counts.
     * </pre>
     */
    public dev.actionq.v1.ListQueuesResponse listQueues(dev.actionq.v1.ListQueuesRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListQueuesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * UpdateQueue sets a queue's defaults (max_attempts, backoff, lease),
     * creating the queue when it does not exist; event queue_updated.
     * </pre>
     */
    public dev.actionq.v1.UpdateQueueResponse updateQueue(dev.actionq.v1.UpdateQueueRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getUpdateQueueMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * PauseQueue stops claiming from a queue (enqueuing continues); event
     * queue_paused. Pausing a paused queue changes nothing.
     * </pre>
     */
    public dev.actionq.v1.PauseQueueResponse pauseQueue(dev.actionq.v1.PauseQueueRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getPauseQueueMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ResumeQueue lets claiming from a paused queue continue and wakes the
     * claims waiting on it; event queue_resumed.
     * </pre>
     */
    public dev.actionq.v1.ResumeQueueResponse resumeQueue(dev.actionq.v1.ResumeQueueRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getResumeQueueMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Prune deletes finished actions older than a cutoff, in one bounded batch
     * per call, and drops the event log's partitions that lie wholly before it.
     * </pre>
     */
    public dev.actionq.v1.PruneResponse prune(dev.actionq.v1.PruneRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getPruneMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SaveCheckpoint stores a step's state for a claimed action under the
     * caller's lease (a stale lease is refused); saving a step again replaces
     * its state. Event checkpoint_saved.
     * </pre>
     */
    public dev.actionq.v1.SaveCheckpointResponse saveCheckpoint(dev.actionq.v1.SaveCheckpointRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getSaveCheckpointMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetCheckpoints lists an action's checkpoints, oldest step first, from
     * every attempt.
     * </pre>
     */
    public dev.actionq.v1.GetCheckpointsResponse getCheckpoints(dev.actionq.v1.GetCheckpointsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetCheckpointsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CreateSchedule creates a cron schedule (or replaces one, with replace);
     * event schedule_created.
     * </pre>
     */
    public dev.actionq.v1.CreateScheduleResponse createSchedule(dev.actionq.v1.CreateScheduleRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCreateScheduleMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListSchedules lists every schedule by name.
     * </pre>
     */
    public dev.actionq.v1.ListSchedulesResponse listSchedules(dev.actionq.v1.ListSchedulesRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListSchedulesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * PauseSchedule stops a schedule's ticks; event schedule_paused.
     * </pre>
     */
    public dev.actionq.v1.PauseScheduleResponse pauseSchedule(dev.actionq.v1.PauseScheduleRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getPauseScheduleMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ResumeSchedule restarts a schedule from the next tick after now (missed
     * ticks are not caught up); event schedule_resumed.
     * </pre>
     */
    public dev.actionq.v1.ResumeScheduleResponse resumeSchedule(dev.actionq.v1.ResumeScheduleRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getResumeScheduleMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteSchedule removes a schedule; actions it enqueued stay. Event
     * schedule_deleted.
     * </pre>
     */
    public dev.actionq.v1.DeleteScheduleResponse deleteSchedule(dev.actionq.v1.DeleteScheduleRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteScheduleMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Suspend gives up a claimed action's lease until a signal arrives, a time
     * passes, or either (a signal with a timeout): status WAITING, event
     * action_waiting, the attempt not used. When the wait's step was woken
     * before (its checkpoint exists) or a kept signal matches, the action stays
     * claimed and the response carries the wake-up at once (suspended false).
     * On waking the action is pending again, the wake-up stored as the step's
     * checkpoint; event action_woken.
     * </pre>
     */
    public dev.actionq.v1.SuspendResponse suspend(dev.actionq.v1.SuspendRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getSuspendMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Signal wakes the actions waiting for a name (broadcast, or one) and keeps
     * the signal for later waiters; event signal_sent.
     * </pre>
     */
    public dev.actionq.v1.SignalResponse signal(dev.actionq.v1.SignalRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getSignalMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetWorkflow returns a workflow run and all its actions.
     * </pre>
     */
    public dev.actionq.v1.GetWorkflowResponse getWorkflow(dev.actionq.v1.GetWorkflowRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetWorkflowMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SetQueueLimits sets (or, with concurrency and rate 0, removes) a queue's
     * concurrency and rate limits; event queue_limits_updated.
     * </pre>
     */
    public dev.actionq.v1.SetQueueLimitsResponse setQueueLimits(dev.actionq.v1.SetQueueLimitsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getSetQueueLimitsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CreateToken makes an API token and returns its secret, once (admin);
     * event token_created.
     * </pre>
     */
    public dev.actionq.v1.CreateTokenResponse createToken(dev.actionq.v1.CreateTokenRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCreateTokenMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListTokens lists every token, never a secret (admin).
     * </pre>
     */
    public dev.actionq.v1.ListTokensResponse listTokens(dev.actionq.v1.ListTokensRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListTokensMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RevokeToken revokes a token; within a second no server accepts it
     * (admin); event token_revoked.
     * </pre>
     */
    public dev.actionq.v1.RevokeTokenResponse revokeToken(dev.actionq.v1.RevokeTokenRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRevokeTokenMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service ActionQueueService.
   * <pre>
   * ActionQueueService is the whole API of actionq: producers enqueue, workers
   * claim and finish under a lease, operators inspect and intervene, and
   * coordinators follow the event log.
   * Errors: INVALID_ARGUMENT names the bad field (also for a message that does
   * not parse); NOT_FOUND an unknown id; FAILED_PRECONDITION an illegal
   * transition, a stale lease or a chain that is too deep; ABORTED a concurrent
   * change (retry); ALREADY_EXISTS a request_id reused for another request;
   * RESOURCE_EXHAUSTED a producer over its rate limit (with
   * google.rpc.RetryInfo); UNAVAILABLE the database is down or the server is
   * draining (retryable). Every error carries a google.rpc.ErrorInfo with domain
   * "actionq.dev" and a reason from ErrorReason (errors.proto); clients branch
   * on the reason, never on the message text.
   * </pre>
   */
  public static final class ActionQueueServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<ActionQueueServiceBlockingStub> {
    private ActionQueueServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected ActionQueueServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new ActionQueueServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Enqueue stores one or more actions atomically: all of them or none. With
     * a request_id, a retried call (after a lost reply) returns the first
     * call's outcome instead of storing the actions again.
     * </pre>
     */
    public dev.actionq.v1.EnqueueResponse enqueue(dev.actionq.v1.EnqueueRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getEnqueueMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetAction returns one action.
     * </pre>
     */
    public dev.actionq.v1.GetActionResponse getAction(dev.actionq.v1.GetActionRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetActionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListActions lists actions by id, filtered, one page at a time.
     * </pre>
     */
    public dev.actionq.v1.ListActionsResponse listActions(dev.actionq.v1.ListActionsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListActionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Claim leases up to max_actions due pending actions, in priority, run_after,
     * id order, waiting up to `wait` for work to arrive when none is due.
     * </pre>
     */
    public dev.actionq.v1.ClaimResponse claim(dev.actionq.v1.ClaimRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getClaimMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Heartbeat extends the lease of a claimed action.
     * </pre>
     */
    public dev.actionq.v1.HeartbeatResponse heartbeat(dev.actionq.v1.HeartbeatRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getHeartbeatMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Complete marks a claimed action completed.
     * </pre>
     */
    public dev.actionq.v1.CompleteResponse complete(dev.actionq.v1.CompleteRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCompleteMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CompleteMany completes several claimed actions in one transaction. Each
     * item is checked as Complete checks it; refused items are reported in
     * `failures` and do not stop the others. Worker helpers use it to send
     * completions in batches.
     * </pre>
     */
    public dev.actionq.v1.CompleteManyResponse completeMany(dev.actionq.v1.CompleteManyRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCompleteManyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Fail records a failed attempt: while attempts remain the action goes back
     * to pending at now + backoff (event action_retry_scheduled), otherwise, or
     * with no_retry, it ends as failed (event action_failed).
     * </pre>
     */
    public dev.actionq.v1.FailResponse fail(dev.actionq.v1.FailRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getFailMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Reject marks a claimed action rejected by a validator; it is never retried.
     * </pre>
     */
    public dev.actionq.v1.RejectResponse reject(dev.actionq.v1.RejectRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRejectMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Cancel cancels a pending or claimed action.
     * </pre>
     */
    public dev.actionq.v1.CancelResponse cancel(dev.actionq.v1.CancelRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCancelMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Sweep requeues every claimed action whose lease has expired; one whose
     * attempts are spent ends as failed ("lease expired") instead.
     * </pre>
     */
    public dev.actionq.v1.SweepResponse sweep(dev.actionq.v1.SweepRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSweepMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListEvents reads the event log after a cursor, one page at a time.
     * </pre>
     */
    public dev.actionq.v1.ListEventsResponse listEvents(dev.actionq.v1.ListEventsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListEventsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * WatchEvents replays the log after a cursor, then follows it live. Every
     * event after the cursor arrives exactly once, in cursor order.
     * </pre>
     */
    public java.util.Iterator<dev.actionq.v1.WatchEventsResponse> watchEvents(
        dev.actionq.v1.WatchEventsRequest request) {
      return io.grpc.stub.ClientCalls.blockingServerStreamingCall(
          getChannel(), getWatchEventsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * EmitEvent appends a coordinator event to the log.
     * </pre>
     */
    public dev.actionq.v1.EmitEventResponse emitEvent(dev.actionq.v1.EmitEventRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getEmitEventMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetQueueStats counts actions per queue, action type and status.
     * </pre>
     */
    public dev.actionq.v1.GetQueueStatsResponse getQueueStats(dev.actionq.v1.GetQueueStatsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetQueueStatsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Migrate creates or upgrades the schema; idempotent.
     * </pre>
     */
    public dev.actionq.v1.MigrateResponse migrate(dev.actionq.v1.MigrateRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getMigrateMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Retry puts dead actions (failed, rejected, cancelled) back to pending with
     * fresh attempts, by id or by filter; event action_retried names who asked.
     * </pre>
     */
    public dev.actionq.v1.RetryResponse retry(dev.actionq.v1.RetryRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRetryMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * WaitAction returns as soon as every named action is in a terminal status
     * (completed, failed, rejected, cancelled), or DEADLINE_EXCEEDED /
     * WAIT_TIMEOUT when the timeout passes first.
     * </pre>
     */
    public dev.actionq.v1.WaitActionResponse waitAction(dev.actionq.v1.WaitActionRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getWaitActionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListQueues lists every queue with its settings and live counts.
     * </pre>
     */
    public dev.actionq.v1.ListQueuesResponse listQueues(dev.actionq.v1.ListQueuesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListQueuesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * UpdateQueue sets a queue's defaults (max_attempts, backoff, lease),
     * creating the queue when it does not exist; event queue_updated.
     * </pre>
     */
    public dev.actionq.v1.UpdateQueueResponse updateQueue(dev.actionq.v1.UpdateQueueRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getUpdateQueueMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * PauseQueue stops claiming from a queue (enqueuing continues); event
     * queue_paused. Pausing a paused queue changes nothing.
     * </pre>
     */
    public dev.actionq.v1.PauseQueueResponse pauseQueue(dev.actionq.v1.PauseQueueRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getPauseQueueMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ResumeQueue lets claiming from a paused queue continue and wakes the
     * claims waiting on it; event queue_resumed.
     * </pre>
     */
    public dev.actionq.v1.ResumeQueueResponse resumeQueue(dev.actionq.v1.ResumeQueueRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getResumeQueueMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Prune deletes finished actions older than a cutoff, in one bounded batch
     * per call, and drops the event log's partitions that lie wholly before it.
     * </pre>
     */
    public dev.actionq.v1.PruneResponse prune(dev.actionq.v1.PruneRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getPruneMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SaveCheckpoint stores a step's state for a claimed action under the
     * caller's lease (a stale lease is refused); saving a step again replaces
     * its state. Event checkpoint_saved.
     * </pre>
     */
    public dev.actionq.v1.SaveCheckpointResponse saveCheckpoint(dev.actionq.v1.SaveCheckpointRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSaveCheckpointMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetCheckpoints lists an action's checkpoints, oldest step first, from
     * every attempt.
     * </pre>
     */
    public dev.actionq.v1.GetCheckpointsResponse getCheckpoints(dev.actionq.v1.GetCheckpointsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetCheckpointsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CreateSchedule creates a cron schedule (or replaces one, with replace);
     * event schedule_created.
     * </pre>
     */
    public dev.actionq.v1.CreateScheduleResponse createSchedule(dev.actionq.v1.CreateScheduleRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateScheduleMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListSchedules lists every schedule by name.
     * </pre>
     */
    public dev.actionq.v1.ListSchedulesResponse listSchedules(dev.actionq.v1.ListSchedulesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListSchedulesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * PauseSchedule stops a schedule's ticks; event schedule_paused.
     * </pre>
     */
    public dev.actionq.v1.PauseScheduleResponse pauseSchedule(dev.actionq.v1.PauseScheduleRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getPauseScheduleMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ResumeSchedule restarts a schedule from the next tick after now (missed
     * ticks are not caught up); event schedule_resumed.
     * </pre>
     */
    public dev.actionq.v1.ResumeScheduleResponse resumeSchedule(dev.actionq.v1.ResumeScheduleRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getResumeScheduleMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteSchedule removes a schedule; actions it enqueued stay. Event
     * schedule_deleted.
     * </pre>
     */
    public dev.actionq.v1.DeleteScheduleResponse deleteSchedule(dev.actionq.v1.DeleteScheduleRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteScheduleMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Suspend gives up a claimed action's lease until a signal arrives, a time
     * passes, or either (a signal with a timeout): status WAITING, event
     * action_waiting, the attempt not used. When the wait's step was woken
     * before (its checkpoint exists) or a kept signal matches, the action stays
     * claimed and the response carries the wake-up at once (suspended false).
     * On waking the action is pending again, the wake-up stored as the step's
     * checkpoint; event action_woken.
     * </pre>
     */
    public dev.actionq.v1.SuspendResponse suspend(dev.actionq.v1.SuspendRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSuspendMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Signal wakes the actions waiting for a name (broadcast, or one) and keeps
     * the signal for later waiters; event signal_sent.
     * </pre>
     */
    public dev.actionq.v1.SignalResponse signal(dev.actionq.v1.SignalRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSignalMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetWorkflow returns a workflow run and all its actions.
     * </pre>
     */
    public dev.actionq.v1.GetWorkflowResponse getWorkflow(dev.actionq.v1.GetWorkflowRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetWorkflowMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SetQueueLimits sets (or, with concurrency and rate 0, removes) a queue's
     * concurrency and rate limits; event queue_limits_updated.
     * </pre>
     */
    public dev.actionq.v1.SetQueueLimitsResponse setQueueLimits(dev.actionq.v1.SetQueueLimitsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSetQueueLimitsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CreateToken makes an API token and returns its secret, once (admin);
     * event token_created.
     * </pre>
     */
    public dev.actionq.v1.CreateTokenResponse createToken(dev.actionq.v1.CreateTokenRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateTokenMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListTokens lists every token, never a secret (admin).
     * </pre>
     */
    public dev.actionq.v1.ListTokensResponse listTokens(dev.actionq.v1.ListTokensRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListTokensMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RevokeToken revokes a token; within a second no server accepts it
     * (admin); event token_revoked.
     * </pre>
     */
    public dev.actionq.v1.RevokeTokenResponse revokeToken(dev.actionq.v1.RevokeTokenRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRevokeTokenMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service ActionQueueService.
   * <pre>
   * ActionQueueService is the whole API of actionq: producers enqueue, workers
   * claim and finish under a lease, operators inspect and intervene, and
   * coordinators follow the event log.
   * Errors: INVALID_ARGUMENT names the bad field (also for a message that does
   * not parse); NOT_FOUND an unknown id; FAILED_PRECONDITION an illegal
   * transition, a stale lease or a chain that is too deep; ABORTED a concurrent
   * change (retry); ALREADY_EXISTS a request_id reused for another request;
   * RESOURCE_EXHAUSTED a producer over its rate limit (with
   * google.rpc.RetryInfo); UNAVAILABLE the database is down or the server is
   * draining (retryable). Every error carries a google.rpc.ErrorInfo with domain
   * "actionq.dev" and a reason from ErrorReason (errors.proto); clients branch
   * on the reason, never on the message text.
   * </pre>
   */
  public static final class ActionQueueServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<ActionQueueServiceFutureStub> {
    private ActionQueueServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected ActionQueueServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new ActionQueueServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Enqueue stores one or more actions atomically: all of them or none. With
     * a request_id, a retried call (after a lost reply) returns the first
     * call's outcome instead of storing the actions again.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.EnqueueResponse> enqueue(
        dev.actionq.v1.EnqueueRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getEnqueueMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetAction returns one action.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.GetActionResponse> getAction(
        dev.actionq.v1.GetActionRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetActionMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListActions lists actions by id, filtered, one page at a time.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.ListActionsResponse> listActions(
        dev.actionq.v1.ListActionsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListActionsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Claim leases up to max_actions due pending actions, in priority, run_after,
     * id order, waiting up to `wait` for work to arrive when none is due.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.ClaimResponse> claim(
        dev.actionq.v1.ClaimRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getClaimMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Heartbeat extends the lease of a claimed action.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.HeartbeatResponse> heartbeat(
        dev.actionq.v1.HeartbeatRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getHeartbeatMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Complete marks a claimed action completed.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.CompleteResponse> complete(
        dev.actionq.v1.CompleteRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCompleteMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * CompleteMany completes several claimed actions in one transaction. Each
     * item is checked as Complete checks it; refused items are reported in
     * `failures` and do not stop the others. Worker helpers use it to send
     * completions in batches.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.CompleteManyResponse> completeMany(
        dev.actionq.v1.CompleteManyRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCompleteManyMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Fail records a failed attempt: while attempts remain the action goes back
     * to pending at now + backoff (event action_retry_scheduled), otherwise, or
     * with no_retry, it ends as failed (event action_failed).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.FailResponse> fail(
        dev.actionq.v1.FailRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getFailMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Reject marks a claimed action rejected by a validator; it is never retried.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.RejectResponse> reject(
        dev.actionq.v1.RejectRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRejectMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Cancel cancels a pending or claimed action.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.CancelResponse> cancel(
        dev.actionq.v1.CancelRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCancelMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Sweep requeues every claimed action whose lease has expired; one whose
     * attempts are spent ends as failed ("lease expired") instead.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.SweepResponse> sweep(
        dev.actionq.v1.SweepRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSweepMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListEvents reads the event log after a cursor, one page at a time.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.ListEventsResponse> listEvents(
        dev.actionq.v1.ListEventsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListEventsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * EmitEvent appends a coordinator event to the log.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.EmitEventResponse> emitEvent(
        dev.actionq.v1.EmitEventRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getEmitEventMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetQueueStats counts actions per queue, action type and status.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.GetQueueStatsResponse> getQueueStats(
        dev.actionq.v1.GetQueueStatsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetQueueStatsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Migrate creates or upgrades the schema; idempotent.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.MigrateResponse> migrate(
        dev.actionq.v1.MigrateRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getMigrateMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Retry puts dead actions (failed, rejected, cancelled) back to pending with
     * fresh attempts, by id or by filter; event action_retried names who asked.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.RetryResponse> retry(
        dev.actionq.v1.RetryRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRetryMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * WaitAction returns as soon as every named action is in a terminal status
     * (completed, failed, rejected, cancelled), or DEADLINE_EXCEEDED /
     * WAIT_TIMEOUT when the timeout passes first.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.WaitActionResponse> waitAction(
        dev.actionq.v1.WaitActionRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getWaitActionMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListQueues lists every queue with its settings and live counts.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.ListQueuesResponse> listQueues(
        dev.actionq.v1.ListQueuesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListQueuesMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * UpdateQueue sets a queue's defaults (max_attempts, backoff, lease),
     * creating the queue when it does not exist; event queue_updated.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.UpdateQueueResponse> updateQueue(
        dev.actionq.v1.UpdateQueueRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getUpdateQueueMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * PauseQueue stops claiming from a queue (enqueuing continues); event
     * queue_paused. Pausing a paused queue changes nothing.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.PauseQueueResponse> pauseQueue(
        dev.actionq.v1.PauseQueueRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getPauseQueueMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ResumeQueue lets claiming from a paused queue continue and wakes the
     * claims waiting on it; event queue_resumed.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.ResumeQueueResponse> resumeQueue(
        dev.actionq.v1.ResumeQueueRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getResumeQueueMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Prune deletes finished actions older than a cutoff, in one bounded batch
     * per call, and drops the event log's partitions that lie wholly before it.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.PruneResponse> prune(
        dev.actionq.v1.PruneRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getPruneMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * SaveCheckpoint stores a step's state for a claimed action under the
     * caller's lease (a stale lease is refused); saving a step again replaces
     * its state. Event checkpoint_saved.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.SaveCheckpointResponse> saveCheckpoint(
        dev.actionq.v1.SaveCheckpointRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSaveCheckpointMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetCheckpoints lists an action's checkpoints, oldest step first, from
     * every attempt.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.GetCheckpointsResponse> getCheckpoints(
        dev.actionq.v1.GetCheckpointsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetCheckpointsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * CreateSchedule creates a cron schedule (or replaces one, with replace);
     * event schedule_created.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.CreateScheduleResponse> createSchedule(
        dev.actionq.v1.CreateScheduleRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateScheduleMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListSchedules lists every schedule by name.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.ListSchedulesResponse> listSchedules(
        dev.actionq.v1.ListSchedulesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListSchedulesMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * PauseSchedule stops a schedule's ticks; event schedule_paused.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.PauseScheduleResponse> pauseSchedule(
        dev.actionq.v1.PauseScheduleRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getPauseScheduleMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ResumeSchedule restarts a schedule from the next tick after now (missed
     * ticks are not caught up); event schedule_resumed.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.ResumeScheduleResponse> resumeSchedule(
        dev.actionq.v1.ResumeScheduleRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getResumeScheduleMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DeleteSchedule removes a schedule; actions it enqueued stay. Event
     * schedule_deleted.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.DeleteScheduleResponse> deleteSchedule(
        dev.actionq.v1.DeleteScheduleRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteScheduleMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Suspend gives up a claimed action's lease until a signal arrives, a time
     * passes, or either (a signal with a timeout): status WAITING, event
     * action_waiting, the attempt not used. When the wait's step was woken
     * before (its checkpoint exists) or a kept signal matches, the action stays
     * claimed and the response carries the wake-up at once (suspended false).
     * On waking the action is pending again, the wake-up stored as the step's
     * checkpoint; event action_woken.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.SuspendResponse> suspend(
        dev.actionq.v1.SuspendRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSuspendMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Signal wakes the actions waiting for a name (broadcast, or one) and keeps
     * the signal for later waiters; event signal_sent.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.SignalResponse> signal(
        dev.actionq.v1.SignalRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSignalMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetWorkflow returns a workflow run and all its actions.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.GetWorkflowResponse> getWorkflow(
        dev.actionq.v1.GetWorkflowRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetWorkflowMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * SetQueueLimits sets (or, with concurrency and rate 0, removes) a queue's
     * concurrency and rate limits; event queue_limits_updated.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.SetQueueLimitsResponse> setQueueLimits(
        dev.actionq.v1.SetQueueLimitsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSetQueueLimitsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * CreateToken makes an API token and returns its secret, once (admin);
     * event token_created.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.CreateTokenResponse> createToken(
        dev.actionq.v1.CreateTokenRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateTokenMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListTokens lists every token, never a secret (admin).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.ListTokensResponse> listTokens(
        dev.actionq.v1.ListTokensRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListTokensMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RevokeToken revokes a token; within a second no server accepts it
     * (admin); event token_revoked.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.actionq.v1.RevokeTokenResponse> revokeToken(
        dev.actionq.v1.RevokeTokenRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRevokeTokenMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_ENQUEUE = 0;
  private static final int METHODID_GET_ACTION = 1;
  private static final int METHODID_LIST_ACTIONS = 2;
  private static final int METHODID_CLAIM = 3;
  private static final int METHODID_HEARTBEAT = 4;
  private static final int METHODID_COMPLETE = 5;
  private static final int METHODID_COMPLETE_MANY = 6;
  private static final int METHODID_FAIL = 7;
  private static final int METHODID_REJECT = 8;
  private static final int METHODID_CANCEL = 9;
  private static final int METHODID_SWEEP = 10;
  private static final int METHODID_LIST_EVENTS = 11;
  private static final int METHODID_WATCH_EVENTS = 12;
  private static final int METHODID_EMIT_EVENT = 13;
  private static final int METHODID_GET_QUEUE_STATS = 14;
  private static final int METHODID_MIGRATE = 15;
  private static final int METHODID_RETRY = 16;
  private static final int METHODID_WAIT_ACTION = 17;
  private static final int METHODID_LIST_QUEUES = 18;
  private static final int METHODID_UPDATE_QUEUE = 19;
  private static final int METHODID_PAUSE_QUEUE = 20;
  private static final int METHODID_RESUME_QUEUE = 21;
  private static final int METHODID_PRUNE = 22;
  private static final int METHODID_SAVE_CHECKPOINT = 23;
  private static final int METHODID_GET_CHECKPOINTS = 24;
  private static final int METHODID_CREATE_SCHEDULE = 25;
  private static final int METHODID_LIST_SCHEDULES = 26;
  private static final int METHODID_PAUSE_SCHEDULE = 27;
  private static final int METHODID_RESUME_SCHEDULE = 28;
  private static final int METHODID_DELETE_SCHEDULE = 29;
  private static final int METHODID_SUSPEND = 30;
  private static final int METHODID_SIGNAL = 31;
  private static final int METHODID_GET_WORKFLOW = 32;
  private static final int METHODID_SET_QUEUE_LIMITS = 33;
  private static final int METHODID_CREATE_TOKEN = 34;
  private static final int METHODID_LIST_TOKENS = 35;
  private static final int METHODID_REVOKE_TOKEN = 36;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final AsyncService serviceImpl;
    private final int methodId;

    MethodHandlers(AsyncService serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_ENQUEUE:
          serviceImpl.enqueue((dev.actionq.v1.EnqueueRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.EnqueueResponse>) responseObserver);
          break;
        case METHODID_GET_ACTION:
          serviceImpl.getAction((dev.actionq.v1.GetActionRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.GetActionResponse>) responseObserver);
          break;
        case METHODID_LIST_ACTIONS:
          serviceImpl.listActions((dev.actionq.v1.ListActionsRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.ListActionsResponse>) responseObserver);
          break;
        case METHODID_CLAIM:
          serviceImpl.claim((dev.actionq.v1.ClaimRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.ClaimResponse>) responseObserver);
          break;
        case METHODID_HEARTBEAT:
          serviceImpl.heartbeat((dev.actionq.v1.HeartbeatRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.HeartbeatResponse>) responseObserver);
          break;
        case METHODID_COMPLETE:
          serviceImpl.complete((dev.actionq.v1.CompleteRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.CompleteResponse>) responseObserver);
          break;
        case METHODID_COMPLETE_MANY:
          serviceImpl.completeMany((dev.actionq.v1.CompleteManyRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.CompleteManyResponse>) responseObserver);
          break;
        case METHODID_FAIL:
          serviceImpl.fail((dev.actionq.v1.FailRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.FailResponse>) responseObserver);
          break;
        case METHODID_REJECT:
          serviceImpl.reject((dev.actionq.v1.RejectRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.RejectResponse>) responseObserver);
          break;
        case METHODID_CANCEL:
          serviceImpl.cancel((dev.actionq.v1.CancelRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.CancelResponse>) responseObserver);
          break;
        case METHODID_SWEEP:
          serviceImpl.sweep((dev.actionq.v1.SweepRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.SweepResponse>) responseObserver);
          break;
        case METHODID_LIST_EVENTS:
          serviceImpl.listEvents((dev.actionq.v1.ListEventsRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.ListEventsResponse>) responseObserver);
          break;
        case METHODID_WATCH_EVENTS:
          serviceImpl.watchEvents((dev.actionq.v1.WatchEventsRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.WatchEventsResponse>) responseObserver);
          break;
        case METHODID_EMIT_EVENT:
          serviceImpl.emitEvent((dev.actionq.v1.EmitEventRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.EmitEventResponse>) responseObserver);
          break;
        case METHODID_GET_QUEUE_STATS:
          serviceImpl.getQueueStats((dev.actionq.v1.GetQueueStatsRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.GetQueueStatsResponse>) responseObserver);
          break;
        case METHODID_MIGRATE:
          serviceImpl.migrate((dev.actionq.v1.MigrateRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.MigrateResponse>) responseObserver);
          break;
        case METHODID_RETRY:
          serviceImpl.retry((dev.actionq.v1.RetryRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.RetryResponse>) responseObserver);
          break;
        case METHODID_WAIT_ACTION:
          serviceImpl.waitAction((dev.actionq.v1.WaitActionRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.WaitActionResponse>) responseObserver);
          break;
        case METHODID_LIST_QUEUES:
          serviceImpl.listQueues((dev.actionq.v1.ListQueuesRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.ListQueuesResponse>) responseObserver);
          break;
        case METHODID_UPDATE_QUEUE:
          serviceImpl.updateQueue((dev.actionq.v1.UpdateQueueRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.UpdateQueueResponse>) responseObserver);
          break;
        case METHODID_PAUSE_QUEUE:
          serviceImpl.pauseQueue((dev.actionq.v1.PauseQueueRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.PauseQueueResponse>) responseObserver);
          break;
        case METHODID_RESUME_QUEUE:
          serviceImpl.resumeQueue((dev.actionq.v1.ResumeQueueRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.ResumeQueueResponse>) responseObserver);
          break;
        case METHODID_PRUNE:
          serviceImpl.prune((dev.actionq.v1.PruneRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.PruneResponse>) responseObserver);
          break;
        case METHODID_SAVE_CHECKPOINT:
          serviceImpl.saveCheckpoint((dev.actionq.v1.SaveCheckpointRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.SaveCheckpointResponse>) responseObserver);
          break;
        case METHODID_GET_CHECKPOINTS:
          serviceImpl.getCheckpoints((dev.actionq.v1.GetCheckpointsRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.GetCheckpointsResponse>) responseObserver);
          break;
        case METHODID_CREATE_SCHEDULE:
          serviceImpl.createSchedule((dev.actionq.v1.CreateScheduleRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.CreateScheduleResponse>) responseObserver);
          break;
        case METHODID_LIST_SCHEDULES:
          serviceImpl.listSchedules((dev.actionq.v1.ListSchedulesRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.ListSchedulesResponse>) responseObserver);
          break;
        case METHODID_PAUSE_SCHEDULE:
          serviceImpl.pauseSchedule((dev.actionq.v1.PauseScheduleRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.PauseScheduleResponse>) responseObserver);
          break;
        case METHODID_RESUME_SCHEDULE:
          serviceImpl.resumeSchedule((dev.actionq.v1.ResumeScheduleRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.ResumeScheduleResponse>) responseObserver);
          break;
        case METHODID_DELETE_SCHEDULE:
          serviceImpl.deleteSchedule((dev.actionq.v1.DeleteScheduleRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.DeleteScheduleResponse>) responseObserver);
          break;
        case METHODID_SUSPEND:
          serviceImpl.suspend((dev.actionq.v1.SuspendRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.SuspendResponse>) responseObserver);
          break;
        case METHODID_SIGNAL:
          serviceImpl.signal((dev.actionq.v1.SignalRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.SignalResponse>) responseObserver);
          break;
        case METHODID_GET_WORKFLOW:
          serviceImpl.getWorkflow((dev.actionq.v1.GetWorkflowRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.GetWorkflowResponse>) responseObserver);
          break;
        case METHODID_SET_QUEUE_LIMITS:
          serviceImpl.setQueueLimits((dev.actionq.v1.SetQueueLimitsRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.SetQueueLimitsResponse>) responseObserver);
          break;
        case METHODID_CREATE_TOKEN:
          serviceImpl.createToken((dev.actionq.v1.CreateTokenRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.CreateTokenResponse>) responseObserver);
          break;
        case METHODID_LIST_TOKENS:
          serviceImpl.listTokens((dev.actionq.v1.ListTokensRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.ListTokensResponse>) responseObserver);
          break;
        case METHODID_REVOKE_TOKEN:
          serviceImpl.revokeToken((dev.actionq.v1.RevokeTokenRequest) request,
              (io.grpc.stub.StreamObserver<dev.actionq.v1.RevokeTokenResponse>) responseObserver);
          break;
        default:
          throw new AssertionError();
      }
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public io.grpc.stub.StreamObserver<Req> invoke(
        io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        default:
          throw new AssertionError();
      }
    }
  }

  public static final io.grpc.ServerServiceDefinition bindService(AsyncService service) {
    return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
        .addMethod(
          getEnqueueMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.EnqueueRequest,
              dev.actionq.v1.EnqueueResponse>(
                service, METHODID_ENQUEUE)))
        .addMethod(
          getGetActionMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.GetActionRequest,
              dev.actionq.v1.GetActionResponse>(
                service, METHODID_GET_ACTION)))
        .addMethod(
          getListActionsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.ListActionsRequest,
              dev.actionq.v1.ListActionsResponse>(
                service, METHODID_LIST_ACTIONS)))
        .addMethod(
          getClaimMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.ClaimRequest,
              dev.actionq.v1.ClaimResponse>(
                service, METHODID_CLAIM)))
        .addMethod(
          getHeartbeatMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.HeartbeatRequest,
              dev.actionq.v1.HeartbeatResponse>(
                service, METHODID_HEARTBEAT)))
        .addMethod(
          getCompleteMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.CompleteRequest,
              dev.actionq.v1.CompleteResponse>(
                service, METHODID_COMPLETE)))
        .addMethod(
          getCompleteManyMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.CompleteManyRequest,
              dev.actionq.v1.CompleteManyResponse>(
                service, METHODID_COMPLETE_MANY)))
        .addMethod(
          getFailMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.FailRequest,
              dev.actionq.v1.FailResponse>(
                service, METHODID_FAIL)))
        .addMethod(
          getRejectMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.RejectRequest,
              dev.actionq.v1.RejectResponse>(
                service, METHODID_REJECT)))
        .addMethod(
          getCancelMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.CancelRequest,
              dev.actionq.v1.CancelResponse>(
                service, METHODID_CANCEL)))
        .addMethod(
          getSweepMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.SweepRequest,
              dev.actionq.v1.SweepResponse>(
                service, METHODID_SWEEP)))
        .addMethod(
          getListEventsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.ListEventsRequest,
              dev.actionq.v1.ListEventsResponse>(
                service, METHODID_LIST_EVENTS)))
        .addMethod(
          getWatchEventsMethod(),
          io.grpc.stub.ServerCalls.asyncServerStreamingCall(
            new MethodHandlers<
              dev.actionq.v1.WatchEventsRequest,
              dev.actionq.v1.WatchEventsResponse>(
                service, METHODID_WATCH_EVENTS)))
        .addMethod(
          getEmitEventMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.EmitEventRequest,
              dev.actionq.v1.EmitEventResponse>(
                service, METHODID_EMIT_EVENT)))
        .addMethod(
          getGetQueueStatsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.GetQueueStatsRequest,
              dev.actionq.v1.GetQueueStatsResponse>(
                service, METHODID_GET_QUEUE_STATS)))
        .addMethod(
          getMigrateMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.MigrateRequest,
              dev.actionq.v1.MigrateResponse>(
                service, METHODID_MIGRATE)))
        .addMethod(
          getRetryMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.RetryRequest,
              dev.actionq.v1.RetryResponse>(
                service, METHODID_RETRY)))
        .addMethod(
          getWaitActionMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.WaitActionRequest,
              dev.actionq.v1.WaitActionResponse>(
                service, METHODID_WAIT_ACTION)))
        .addMethod(
          getListQueuesMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.ListQueuesRequest,
              dev.actionq.v1.ListQueuesResponse>(
                service, METHODID_LIST_QUEUES)))
        .addMethod(
          getUpdateQueueMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.UpdateQueueRequest,
              dev.actionq.v1.UpdateQueueResponse>(
                service, METHODID_UPDATE_QUEUE)))
        .addMethod(
          getPauseQueueMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.PauseQueueRequest,
              dev.actionq.v1.PauseQueueResponse>(
                service, METHODID_PAUSE_QUEUE)))
        .addMethod(
          getResumeQueueMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.ResumeQueueRequest,
              dev.actionq.v1.ResumeQueueResponse>(
                service, METHODID_RESUME_QUEUE)))
        .addMethod(
          getPruneMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.PruneRequest,
              dev.actionq.v1.PruneResponse>(
                service, METHODID_PRUNE)))
        .addMethod(
          getSaveCheckpointMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.SaveCheckpointRequest,
              dev.actionq.v1.SaveCheckpointResponse>(
                service, METHODID_SAVE_CHECKPOINT)))
        .addMethod(
          getGetCheckpointsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.GetCheckpointsRequest,
              dev.actionq.v1.GetCheckpointsResponse>(
                service, METHODID_GET_CHECKPOINTS)))
        .addMethod(
          getCreateScheduleMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.CreateScheduleRequest,
              dev.actionq.v1.CreateScheduleResponse>(
                service, METHODID_CREATE_SCHEDULE)))
        .addMethod(
          getListSchedulesMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.ListSchedulesRequest,
              dev.actionq.v1.ListSchedulesResponse>(
                service, METHODID_LIST_SCHEDULES)))
        .addMethod(
          getPauseScheduleMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.PauseScheduleRequest,
              dev.actionq.v1.PauseScheduleResponse>(
                service, METHODID_PAUSE_SCHEDULE)))
        .addMethod(
          getResumeScheduleMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.ResumeScheduleRequest,
              dev.actionq.v1.ResumeScheduleResponse>(
                service, METHODID_RESUME_SCHEDULE)))
        .addMethod(
          getDeleteScheduleMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.DeleteScheduleRequest,
              dev.actionq.v1.DeleteScheduleResponse>(
                service, METHODID_DELETE_SCHEDULE)))
        .addMethod(
          getSuspendMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.SuspendRequest,
              dev.actionq.v1.SuspendResponse>(
                service, METHODID_SUSPEND)))
        .addMethod(
          getSignalMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.SignalRequest,
              dev.actionq.v1.SignalResponse>(
                service, METHODID_SIGNAL)))
        .addMethod(
          getGetWorkflowMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.GetWorkflowRequest,
              dev.actionq.v1.GetWorkflowResponse>(
                service, METHODID_GET_WORKFLOW)))
        .addMethod(
          getSetQueueLimitsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.SetQueueLimitsRequest,
              dev.actionq.v1.SetQueueLimitsResponse>(
                service, METHODID_SET_QUEUE_LIMITS)))
        .addMethod(
          getCreateTokenMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.CreateTokenRequest,
              dev.actionq.v1.CreateTokenResponse>(
                service, METHODID_CREATE_TOKEN)))
        .addMethod(
          getListTokensMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.ListTokensRequest,
              dev.actionq.v1.ListTokensResponse>(
                service, METHODID_LIST_TOKENS)))
        .addMethod(
          getRevokeTokenMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.actionq.v1.RevokeTokenRequest,
              dev.actionq.v1.RevokeTokenResponse>(
                service, METHODID_REVOKE_TOKEN)))
        .build();
  }

  private static abstract class ActionQueueServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    ActionQueueServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return dev.actionq.v1.ServiceProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("ActionQueueService");
    }
  }

  private static final class ActionQueueServiceFileDescriptorSupplier
      extends ActionQueueServiceBaseDescriptorSupplier {
    ActionQueueServiceFileDescriptorSupplier() {}
  }

  private static final class ActionQueueServiceMethodDescriptorSupplier
      extends ActionQueueServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    ActionQueueServiceMethodDescriptorSupplier(java.lang.String methodName) {
      this.methodName = methodName;
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (ActionQueueServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new ActionQueueServiceFileDescriptorSupplier())
              .addMethod(getEnqueueMethod())
              .addMethod(getGetActionMethod())
              .addMethod(getListActionsMethod())
              .addMethod(getClaimMethod())
              .addMethod(getHeartbeatMethod())
              .addMethod(getCompleteMethod())
              .addMethod(getCompleteManyMethod())
              .addMethod(getFailMethod())
              .addMethod(getRejectMethod())
              .addMethod(getCancelMethod())
              .addMethod(getSweepMethod())
              .addMethod(getListEventsMethod())
              .addMethod(getWatchEventsMethod())
              .addMethod(getEmitEventMethod())
              .addMethod(getGetQueueStatsMethod())
              .addMethod(getMigrateMethod())
              .addMethod(getRetryMethod())
              .addMethod(getWaitActionMethod())
              .addMethod(getListQueuesMethod())
              .addMethod(getUpdateQueueMethod())
              .addMethod(getPauseQueueMethod())
              .addMethod(getResumeQueueMethod())
              .addMethod(getPruneMethod())
              .addMethod(getSaveCheckpointMethod())
              .addMethod(getGetCheckpointsMethod())
              .addMethod(getCreateScheduleMethod())
              .addMethod(getListSchedulesMethod())
              .addMethod(getPauseScheduleMethod())
              .addMethod(getResumeScheduleMethod())
              .addMethod(getDeleteScheduleMethod())
              .addMethod(getSuspendMethod())
              .addMethod(getSignalMethod())
              .addMethod(getGetWorkflowMethod())
              .addMethod(getSetQueueLimitsMethod())
              .addMethod(getCreateTokenMethod())
              .addMethod(getListTokensMethod())
              .addMethod(getRevokeTokenMethod())
              .build();
        }
      }
    }
    return result;
  }
}
