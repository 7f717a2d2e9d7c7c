package dev.stowage.core.store.s3;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.stowage.core.store.ObjectStoreException;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.PutResult;
import dev.stowage.core.store.StorageClass;
import dev.stowage.core.store.StoreFailureException;
import dev.stowage.core.store.UploadPacer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.UploadPartCopyRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Multipart uploads and multipart copies: creates the upload, sends up to {@code uploadParallelism}
 * parts at once (each with its Content-MD5), and completes it, with the write conditions of the
 * {@link PutOptions} on the completion.
 *
 * <p><b>Failure:</b> if any part, the completion, the local file read or the caller's thread (by
 * interruption) fails, the remaining parts are not started, the parts in flight are waited for, and
 * the upload is aborted, so the bucket keeps no orphaned parts. The first failure is thrown,
 * translated; a failed abort is logged with the upload id and attached as suppressed exception.
 *
 * <p><b>Threading:</b> thread-safe; each call runs its parts on the shared executor and blocks the
 * caller until the upload has completed or been aborted. Memory use per upload is at most
 * {@code uploadParallelism × partSize}.
 */
final class MultipartUploader {
    private static final Logger LOG = LoggerFactory.getLogger(MultipartUploader.class);

    /** S3 allows at most this many parts per upload. */
    static final int MAX_PARTS = 10_000;
    private static final long MIB = 1024 * 1024;

    private final S3Client client;
    private final S3Settings settings;
    private final S3ErrorTranslator errors;
    private final SseParams sse;
    private final ExecutorService executor;

    MultipartUploader(S3Client client, S3Settings settings, S3ErrorTranslator errors, SseParams sse,
                      ExecutorService executor) {
        this.client = client;
        this.settings = settings;
        this.errors = errors;
        this.sse = sse;
        this.executor = executor;
    }

    /** Part size for an object of {@code size} bytes: the configured size, raised to stay within 10,000 parts. */
    long partSize(long size) {
        long needed = (size + MAX_PARTS - 1) / MAX_PARTS;
        long part = Math.max(settings.partSize(), (needed + MIB - 1) / MIB * MIB);
        if (part > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("object of " + size + " bytes is larger than S3's 5 TiB limit");
        }
        return part;
    }

    /** Uploads {@code size} bytes of {@code file} as {@code key} (relative key), asking {@code pacer} before each part. */
    PutResult upload(String key, Path file, long size, PutOptions options, Map<String, String> metadata,
                     UploadPacer pacer) {
        String fullKey = settings.prefix() + key;
        long partSize = partSize(size);
        int parts = (int) ((size + partSize - 1) / partSize);
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
                .bucket(settings.bucket()).key(fullKey).metadata(metadata)
                .contentType(options.contentType() == null ? "application/octet-stream" : options.contentType());
        storageClass(create, options.storageClass());
        sse.on(create);
        String uploadId = start(create.build(), key);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            CompletedPart[] done = runParts(parts, n -> {
                long offset = (n - 1) * partSize;
                int length = (int) Math.min(partSize, size - offset);
                try {
                    pacer.beforeUpload(length);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e); // unwrapped by abort(): an interruption
                }
                byte[] data = readFully(channel, offset, length, file);
                var req = UploadPartRequest.builder()
                        .bucket(settings.bucket()).key(fullKey).uploadId(uploadId).partNumber(n)
                        .contentLength((long) length).contentMD5(SseParams.contentMd5(data, 0, length))
                        .overrideConfiguration(S3ClientFactory.transferTimeout(settings, length));
                sse.on(req);
                String etag = client.uploadPart(req.build(), RequestBody.fromBytes(data)).eTag();
                return CompletedPart.builder().partNumber(n).eTag(etag).build();
            });
            String etag = complete(fullKey, uploadId, done, options);
            return new PutResult(key, S3ObjectStore.unquote(etag), size);
        } catch (Throwable e) {
            throw abort(key, uploadId, e);
        }
    }

    /** Server-side copy of a {@code size}-byte object in parts (for sources above the single-copy limit). */
    PutResult copy(String sourceKey, String targetKey, long size, PutOptions options,
                   Map<String, String> metadata) {
        String fullTarget = settings.prefix() + targetKey;
        String fullSource = settings.prefix() + sourceKey;
        long partSize = partSize(size);
        int parts = (int) ((size + partSize - 1) / partSize);
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
                .bucket(settings.bucket()).key(fullTarget).metadata(metadata)
                .contentType(options.contentType() == null ? "application/octet-stream" : options.contentType());
        storageClass(create, options.storageClass());
        sse.on(create);
        String uploadId = start(create.build(), targetKey);
        try {
            CompletedPart[] done = runParts(parts, n -> {
                long first = (n - 1) * partSize;
                long last = Math.min(size, first + partSize) - 1;
                var req = UploadPartCopyRequest.builder()
                        .sourceBucket(settings.bucket()).sourceKey(fullSource)
                        .destinationBucket(settings.bucket()).destinationKey(fullTarget)
                        .uploadId(uploadId).partNumber(n).copySourceRange("bytes=" + first + "-" + last)
                        // the service copies the part internally before it answers
                        .overrideConfiguration(S3ClientFactory.transferTimeout(settings, last - first + 1));
                sse.on(req);
                String etag = client.uploadPartCopy(req.build()).copyPartResult().eTag();
                return CompletedPart.builder().partNumber(n).eTag(etag).build();
            });
            String etag = complete(fullTarget, uploadId, done, options);
            return new PutResult(targetKey, S3ObjectStore.unquote(etag), size);
        } catch (Throwable e) {
            throw abort(targetKey, uploadId, e);
        }
    }

    private String start(CreateMultipartUploadRequest request, String key) {
        try {
            return client.createMultipartUpload(request).uploadId();
        } catch (RuntimeException e) {
            throw errors.translate(e, S3ErrorTranslator.Op.MULTIPART, key);
        }
    }

    private String complete(String fullKey, String uploadId, CompletedPart[] parts, PutOptions options) {
        CompleteMultipartUploadRequest.Builder b = CompleteMultipartUploadRequest.builder()
                .bucket(settings.bucket()).key(fullKey).uploadId(uploadId)
                .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build());
        if (options.ifNoneMatch()) {
            b.ifNoneMatch("*");
        }
        if (options.ifMatch() != null) {
            b.ifMatch(S3ObjectStore.quote(options.ifMatch()));
        }
        sse.on(b);
        CompleteMultipartUploadResponse r = client.completeMultipartUpload(b.build());
        return r.eTag();
    }

    /**
     * Runs {@code parts} part tasks (numbered from 1) with at most {@code uploadParallelism} at once.
     * Stops starting parts at the first failure and returns only after every started part has ended.
     */
    private CompletedPart[] runParts(int parts, IntFunction<CompletedPart> task) {
        CompletedPart[] done = new CompletedPart[parts];
        AtomicInteger next = new AtomicInteger(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int workers = Math.min(settings.uploadParallelism(), parts);
        CountDownLatch finished = new CountDownLatch(workers);
        Future<?>[] futures = new Future<?>[workers];
        for (int w = 0; w < workers; w++) {
            futures[w] = executor.submit(() -> {
                try {
                    while (failure.get() == null) {
                        int n = next.getAndIncrement();
                        if (n > parts) {
                            return;
                        }
                        done[n - 1] = task.apply(n);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    finished.countDown();
                }
            });
        }
        boolean interrupted = false;
        while (true) {
            try {
                finished.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                failure.compareAndSet(null, e);
                Arrays.stream(futures).forEach(f -> f.cancel(true));
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable first = failure.get();
        if (first instanceof RuntimeException r) {
            throw r;
        }
        if (first instanceof Error err) {
            throw err;
        }
        if (first != null) {
            throw new IllegalStateException(first);
        }
        return done;
    }

    private RuntimeException abort(String key, String uploadId, Throwable cause) {
        ObjectStoreException translated = cause instanceof UncheckedIOException io
                ? new StoreFailureException("cannot read the local file for the upload of " + key + ": "
                + io.getCause().getMessage(), io)
                : errors.translate(cause instanceof IllegalStateException ise && ise.getCause() != null
                ? ise.getCause() : cause, S3ErrorTranslator.Op.MULTIPART, key);
        // An interrupted caller still aborts: the SDK refuses calls on an interrupted thread, so the
        // flag is cleared for the abort and set again afterwards.
        boolean interrupted = Thread.interrupted();
        RuntimeException abortFailure = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                client.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(settings.prefix() + key)
                        .uploadId(uploadId));
                abortFailure = null;
                break;
            } catch (RuntimeException e) {
                abortFailure = e;
            }
        }
        if (abortFailure != null) {
            LOG.warn("could not abort multipart upload {} of s3://{}/{}{}; its parts stay in the bucket until a "
                    + "lifecycle rule (AbortIncompleteMultipartUpload) removes them: {}", uploadId, settings.bucket(),
                    settings.prefix(), key, abortFailure.toString());
            translated.addSuppressed(abortFailure);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return translated;
    }

    private static void storageClass(CreateMultipartUploadRequest.Builder b, StorageClass c) {
        if (c != StorageClass.STANDARD) {
            b.storageClass(c.s3Name());
        }
    }

    private static byte[] readFully(FileChannel channel, long offset, int length, Path file) {
        byte[] data = new byte[length];
        ByteBuffer buf = ByteBuffer.wrap(data);
        try {
            while (buf.hasRemaining()) {
                int n = channel.read(buf, offset + buf.position());
                if (n < 0) {
                    throw new EOFException(file + " ended at " + (offset + buf.position())
                            + " bytes while uploading it; was it truncated?");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return data;
    }
}
