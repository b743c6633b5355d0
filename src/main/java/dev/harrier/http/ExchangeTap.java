package dev.harrier.http;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.WebClientInternal;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.ext.web.codec.spi.BodyStream;
import java.util.concurrent.CancellationException;

/**
 * One outbound request as seen from inside the {@code WebClient}: its body codec, which keeps at
 * most {@code max} bytes of the body as it streams in, and its {@link HttpClientRequest}, handed
 * over by the client's interceptor ({@link #install}) so that the exchange can be reset. It is
 * reset when the body passes the cap (a 2 GB answer costs {@code max} bytes and is not read on),
 * and when the caller gives up on it (deadline, job cancelled): the connection is closed at once
 * instead of being read to its end, and a request still waiting for a pooled connection is never
 * sent.
 */
final class ExchangeTap implements BodyCodec<ExchangeTap.Body> {

    /** The kept bytes, and whether the body was longer. */
    record Body(byte[] bytes, boolean truncated) {
    }

    private final long max;
    /** Null: the body is kept in memory; else it is written to this file as it streams in. */
    private final AsyncFile spool;
    private HttpClientRequest request;
    private Context context;
    private boolean finished;
    private volatile HttpClientResponse response;
    private boolean abandoned;
    private volatile Body cut;

    ExchangeTap(int max) {
        this.max = max;
        this.spool = null;
    }

    /**
     * A tap that writes the body to {@code spool} as it streams in, at the file's pace (the
     * response is paused while the file's write queue is full), up to {@code max} bytes: a large
     * source costs the heap a few buffers, not its size. The kept bytes of the {@link Body} are then
     * empty; {@code truncated} says whether the body went past {@code max}.
     */
    ExchangeTap(long max, AsyncFile spool) {
        this.max = max;
        this.spool = spool;
    }

    /** Hands every request of {@code client} that reads its body through a tap over to that tap. */
    static void install(WebClient client) {
        ((WebClientInternal) client).addInterceptor(context -> {
            if (context.request().bodyCodec() instanceof ExchangeTap tap) {
                if (context.phase() == ClientPhase.SEND_REQUEST
                        && !tap.attach(context.clientRequest(), Vertx.currentContext())) {
                    context.fail(new CancellationException("abandoned before it was sent"));
                    return;
                }
                if (context.phase() == ClientPhase.RECEIVE_RESPONSE) {
                    tap.received(context.clientResponse());
                }
            }
            context.next();
        });
    }

    /** The codec for the Mutiny {@code WebClient}. */
    io.vertx.mutiny.ext.web.codec.BodyCodec<Body> codec() {
        return io.vertx.mutiny.ext.web.codec.BodyCodec.newInstance(this);
    }

    /** The caller gives up on this exchange: reset it, or make sure it is never sent. */
    void abandon() {
        synchronized (this) {
            abandoned = true;
        }
        reset();
    }

    /** Whether the body passed the cap, so that the exchange was reset on purpose. */
    boolean wasCut() {
        return cut != null;
    }

    /** The body kept before the cut. */
    Body cutBody() {
        return cut;
    }

    int status() {
        return response.statusCode();
    }

    MultiMap headers() {
        return response.headers();
    }

    private synchronized boolean attach(HttpClientRequest sent, Context on) {
        if (abandoned) {
            sent.reset();
            return false;
        }
        request = sent;
        context = on;
        return true;
    }

    private void received(HttpClientResponse answer) {
        response = answer;
    }

    private synchronized void finish() {
        finished = true;
    }

    private void cut(Body kept) {
        cut = kept;
        reset();
    }

    /**
     * Resets the request unless its answer has been read to the end: by then its connection is back
     * in the pool, and a reset would close it under the next request. The check runs on the
     * request's own context, in order with the end of the response. (When the connection lives on
     * another event loop, Vert.x's own recycling leaves a narrow window that this cannot close.)
     */
    private void reset() {
        HttpClientRequest sent;
        Context on;
        synchronized (this) {
            sent = request;
            on = context;
        }
        if (sent == null) {
            return;
        }
        Runnable resetUnlessFinished = () -> {
            synchronized (this) {
                if (finished) {
                    return;
                }
            }
            sent.reset();
        };
        if (on == null || Vertx.currentContext() == on) {
            resetUnlessFinished.run();
        } else {
            on.runOnContext(v -> resetUnlessFinished.run());
        }
    }

    @Override
    public void create(Handler<AsyncResult<BodyStream<Body>>> callback) {
        callback.handle(Future.succeededFuture(new Stream()));
    }

    private final class Stream implements BodyStream<Body> {
        private final Buffer kept = Buffer.buffer();
        private final Promise<Body> result = Promise.promise();
        private boolean truncated;
        private long written;

        @Override
        public Future<Body> result() {
            return result.future();
        }

        @Override
        public void handle(Throwable failure) {
            finish();
            result.tryFail(failure);
        }

        @Override
        public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
            return this;
        }

        @Override
        public Future<Void> write(Buffer data) {
            keep(data);
            return Future.succeededFuture();
        }

        @Override
        public void write(Buffer data, Handler<AsyncResult<Void>> handler) {
            keep(data);
            if (handler != null) {
                handler.handle(Future.succeededFuture());
            }
        }

        @Override
        public void end(Handler<AsyncResult<Void>> handler) {
            finish();
            if (spool == null) {
                result.tryComplete(new Body(kept.getBytes(), truncated));
            } else {
                // Written to the end (flushed) before the body counts as received.
                spool.end().onComplete(ended -> {
                    if (ended.succeeded()) {
                        result.tryComplete(new Body(new byte[0], truncated));
                    } else {
                        result.tryFail(ended.cause());
                    }
                });
            }
            if (handler != null) {
                handler.handle(Future.succeededFuture());
            }
        }

        @Override
        public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
            return this;
        }

        @Override
        public boolean writeQueueFull() {
            return spool != null && spool.writeQueueFull();
        }

        @Override
        public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
            if (spool != null) {
                spool.drainHandler(handler);
            }
            return this;
        }

        private void keep(Buffer data) {
            if (truncated) {
                return;
            }
            if (spool != null) {
                written += data.length();
                if (written > max) {
                    truncated = true;
                    cut(new Body(new byte[0], true));
                    return;
                }
                spool.write(data);
                return;
            }
            int room = (int) (max - kept.length());
            if (data.length() <= room) {
                kept.appendBuffer(data);
                return;
            }
            if (room > 0) {
                kept.appendBuffer(data, 0, room);
            }
            truncated = true;
            cut(new Body(kept.getBytes(), true));
        }
    }
}
