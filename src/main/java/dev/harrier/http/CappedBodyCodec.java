package dev.harrier.http;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.ext.web.codec.spi.BodyStream;

/**
 * Reads a response body as it streams in and keeps at most {@code max} bytes of it; the rest is
 * read and dropped. A 2 GB answer to a scrape therefore costs {@code max} bytes of memory, not 2 GB
 * (the request's time-out bounds how long it is read).
 */
final class CappedBodyCodec implements BodyCodec<CappedBodyCodec.Body> {

    /** The kept bytes, and whether the body was longer. */
    record Body(byte[] bytes, boolean truncated) {
    }

    private final int max;

    CappedBodyCodec(int max) {
        this.max = max;
    }

    /** The codec for the Mutiny {@code WebClient}. */
    static io.vertx.mutiny.ext.web.codec.BodyCodec<Body> of(int max) {
        return io.vertx.mutiny.ext.web.codec.BodyCodec.newInstance(new CappedBodyCodec(max));
    }

    @Override
    public void create(Handler<AsyncResult<BodyStream<Body>>> callback) {
        callback.handle(Future.succeededFuture(new Stream(max)));
    }

    private static final class Stream implements BodyStream<Body> {
        private final int max;
        private final Buffer kept = Buffer.buffer();
        private final Promise<Body> result = Promise.promise();
        private boolean truncated;

        Stream(int max) {
            this.max = max;
        }

        @Override
        public Future<Body> result() {
            return result.future();
        }

        @Override
        public void handle(Throwable failure) {
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
            result.tryComplete(new Body(kept.getBytes(), truncated));
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
            return false;
        }

        @Override
        public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
            return this;
        }

        private void keep(Buffer data) {
            int room = max - kept.length();
            if (data.length() <= room) {
                kept.appendBuffer(data);
                return;
            }
            if (room > 0) {
                kept.appendBuffer(data, 0, room);
            }
            truncated = true;
        }
    }
}
