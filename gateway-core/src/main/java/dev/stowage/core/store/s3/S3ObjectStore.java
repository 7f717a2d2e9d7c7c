package dev.stowage.core.store.s3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.stowage.core.store.ByteRange;
import dev.stowage.core.store.DeleteResult;
import dev.stowage.core.store.ListPage;
import dev.stowage.core.store.NotFoundException;
import dev.stowage.core.store.ObjectInfo;
import dev.stowage.core.store.ObjectStore;
import dev.stowage.core.store.PutOptions;
import dev.stowage.core.store.PutResult;
import dev.stowage.core.store.RestoreTier;
import dev.stowage.core.store.StorageClass;
import dev.stowage.core.store.StoreArguments;
import dev.stowage.core.store.StoreFailureException;
import dev.stowage.core.store.UploadPacer;
import dev.stowage.core.store.s3.S3ErrorTranslator.Op;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.GlacierJobParameters;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.RestoreRequest;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.Tier;

/**
 * {@link ObjectStore} on any S3-compatible service through the AWS SDK v2 (see {@link S3ClientFactory}
 * for the client: endpoint, addressing, credentials, pool, timeouts, retries, checksums).
 *
 * <p>Every object written carries the configured server-side encryption and the storage class of its
 * {@link PutOptions}; single-request writes send Content-MD5 so the service verifies the payload.
 * Conditional writes use {@code If-None-Match: *} and {@code If-Match}. Files of at least
 * {@code multipartThreshold} bytes go up through {@link MultipartUploader}; copies of objects over 5 GiB
 * use multipart copy. Keys are stored under the configured prefix.
 *
 * <p><b>Threading:</b> thread-safe; calls block the caller (the SDK retries transient failures first).
 * <b>Errors:</b> every SDK or I/O failure goes through {@link S3ErrorTranslator}. After {@link #close()},
 * calls fail with {@link IllegalStateException}.
 */
public final class S3ObjectStore implements ObjectStore {

    /** S3's limit for a single-request copy. */
    static final long SINGLE_COPY_LIMIT = 5L * 1024 * 1024 * 1024;

    private final S3Settings settings;
    private final S3Client client;
    private final S3ErrorTranslator errors;
    private final SseParams sse;
    private final ExecutorService partExecutor;
    private final MultipartUploader multipart;
    private final String endpointName;
    private final long singleCopyLimit;
    private final AtomicBoolean closed = new AtomicBoolean();

    public S3ObjectStore(S3Settings settings) {
        this(settings, List.of(), SINGLE_COPY_LIMIT);
    }

    /** For tests: extra SDK interceptors (to inject faults) and a lower single-copy limit. */
    S3ObjectStore(S3Settings settings, List<ExecutionInterceptor> interceptors, long singleCopyLimit) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.singleCopyLimit = singleCopyLimit;
        AwsCredentialsProvider credentials = S3ClientFactory.credentials(settings.credentials());
        this.endpointName = S3ClientFactory.endpointName(settings);
        this.errors = new S3ErrorTranslator(endpointName, settings.bucket(), settings.prefix(), settings.region(),
                S3ClientFactory.describe(settings.credentials()), () -> {
            try {
                return Optional.of(credentials.resolveCredentials().accessKeyId());
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        });
        this.sse = new SseParams(settings.encryption());
        this.client = S3ClientFactory.build(settings, credentials, interceptors);
        this.partExecutor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("s3-part-", 0).factory());
        this.multipart = new MultipartUploader(client, settings, errors, sse, partExecutor);
    }

    @Override
    public PutResult put(String key, byte[] data, PutOptions options) {
        ensureOpen();
        StoreArguments.key(key, settings.prefix());
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(options, "options");
        Map<String, String> metadata = StoreArguments.metadata(options.metadata());
        PutObjectRequest.Builder b = PutObjectRequest.builder()
                .bucket(settings.bucket()).key(settings.prefix() + key)
                .contentLength((long) data.length)
                .contentMD5(SseParams.contentMd5(data, 0, data.length))
                .contentType(contentType(options))
                .overrideConfiguration(S3ClientFactory.transferTimeout(settings, data.length))
                .metadata(metadata);
        if (options.storageClass() != StorageClass.STANDARD) {
            b.storageClass(options.storageClass().s3Name());
        }
        if (options.ifNoneMatch()) {
            b.ifNoneMatch("*");
        }
        if (options.ifMatch() != null) {
            b.ifMatch(quote(options.ifMatch()));
        }
        sse.on(b);
        try {
            String etag = client.putObject(b.build(), RequestBody.fromContentProvider(
                    ContentStreamProvider.fromByteArrayUnsafe(data), data.length, contentType(options))).eTag();
            return new PutResult(key, unquote(etag), data.length);
        } catch (RuntimeException e) {
            throw errors.translate(e, Op.PUT, key);
        }
    }

    @Override
    public PutResult putLarge(String key, Path file, PutOptions options) {
        return putLarge(key, file, options, UploadPacer.NONE);
    }

    @Override
    public PutResult putLarge(String key, Path file, PutOptions options, UploadPacer pacer) {
        ensureOpen();
        Objects.requireNonNull(pacer, "pacer");
        StoreArguments.key(key, settings.prefix());
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        Map<String, String> metadata = StoreArguments.metadata(options.metadata());
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new StoreFailureException("cannot read the local file " + file + " to upload it as " + key + ": "
                    + e.getMessage(), e);
        }
        if (size < settings.multipartThreshold()) {
            byte[] data;
            try {
                data = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new StoreFailureException("cannot read the local file " + file + " to upload it as " + key
                        + ": " + e.getMessage(), e);
            }
            try {
                pacer.beforeUpload(data.length);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreFailureException("interrupted while trying to upload " + key, e);
            }
            return put(key, data, options);
        }
        checkConditionBeforeUpload(key, options);
        return multipart.upload(key, file, size, options, metadata, pacer);
    }

    /** A conditional multipart upload that is bound to fail is refused before any part is sent. */
    private void checkConditionBeforeUpload(String key, PutOptions options) {
        if (!options.ifNoneMatch() && options.ifMatch() == null) {
            return;
        }
        Optional<ObjectInfo> current = find(key);
        if (options.ifNoneMatch() && current.isPresent()) {
            throw new dev.stowage.core.store.PreconditionFailedException("s3://" + settings.bucket() + "/"
                    + settings.prefix() + key + " already exists (the write asked for If-None-Match: *)");
        }
        if (options.ifMatch() != null && (current.isEmpty() || !options.ifMatch().equals(current.get().etag()))) {
            throw new dev.stowage.core.store.PreconditionFailedException("s3://" + settings.bucket() + "/"
                    + settings.prefix() + key + " is " + current.map(c -> "at ETag " + c.etag()).orElse("absent")
                    + ", not at the expected ETag " + options.ifMatch() + " (If-Match)");
        }
    }

    @Override
    public byte[] get(String key, ByteRange range) {
        ensureOpen();
        StoreArguments.key(key, settings.prefix());
        Objects.requireNonNull(range, "range");
        GetObjectRequest.Builder b = GetObjectRequest.builder().bucket(settings.bucket()).key(settings.prefix() + key);
        if (!range.isAll()) {
            b.range(range.httpHeader());
        }
        b.overrideConfiguration(S3ClientFactory.transferTimeout(settings, range.length()));
        sse.on(b);
        try {
            ResponseBytes<GetObjectResponse> bytes = client.getObjectAsBytes(b.build());
            byte[] data = bytes.asByteArrayUnsafe();
            if (!range.isAll() && bytes.response().contentRange() == null) {
                return clip(data, range); // the service ignored the Range header and sent everything
            }
            return data;
        } catch (AwsServiceException e) {
            if (e.statusCode() == 416 && !range.isAll()) {
                return new byte[0]; // the range starts at or past the end of the object
            }
            throw errors.translate(e, Op.GET, key);
        } catch (RuntimeException e) {
            throw errors.translate(e, Op.GET, key);
        }
    }

    @Override
    public ObjectInfo head(String key) {
        ensureOpen();
        StoreArguments.key(key, settings.prefix());
        HeadObjectRequest.Builder b = HeadObjectRequest.builder().bucket(settings.bucket()).key(settings.prefix() + key);
        sse.on(b);
        HeadObjectResponse r;
        try {
            r = client.headObject(b.build());
        } catch (RuntimeException e) {
            throw errors.translate(e, Op.HEAD, key);
        }
        StorageClass cls = r.storageClassAsString() == null ? StorageClass.STANDARD
                : ArchiveStates.storageClass(r.storageClassAsString());
        return new ObjectInfo(key, r.contentLength() == null ? 0 : r.contentLength(), unquote(r.eTag()),
                r.lastModified(), cls, ArchiveStates.of(cls, r.restore(), r.archiveStatusAsString(), Instant.now()),
                r.metadata());
    }

    @Override
    public ListPage list(String prefix, String continuation, int maxKeys) {
        ensureOpen();
        Objects.requireNonNull(prefix, "prefix");
        StoreArguments.maxKeys(maxKeys);
        ListObjectsV2Response r;
        try {
            r = client.listObjectsV2(b -> b.bucket(settings.bucket()).prefix(settings.prefix() + prefix)
                    .maxKeys(maxKeys).continuationToken(continuation));
        } catch (RuntimeException e) {
            throw errors.translate(e, Op.LIST, null);
        }
        List<ObjectInfo> out = new ArrayList<>(r.contents().size());
        for (S3Object o : r.contents()) {
            if (!o.key().startsWith(settings.prefix())) {
                continue;
            }
            StorageClass cls = o.storageClassAsString() == null ? StorageClass.STANDARD
                    : ArchiveStates.storageClass(o.storageClassAsString());
            out.add(new ObjectInfo(o.key().substring(settings.prefix().length()), o.size() == null ? 0 : o.size(),
                    unquote(o.eTag()), o.lastModified(), cls, ArchiveStates.ofListing(cls), Map.of()));
        }
        boolean more = Boolean.TRUE.equals(r.isTruncated()) && r.nextContinuationToken() != null;
        return new ListPage(out, more ? r.nextContinuationToken() : null);
    }

    /**
     * Deletes in batches of 1000 keys (quiet mode: the answer lists only failures). A failure of a
     * whole batch (access denied, no such bucket, store unreachable) is thrown; batches before it
     * stay deleted, so the call can simply be repeated.
     */
    @Override
    public DeleteResult delete(Collection<String> keys) {
        ensureOpen();
        Objects.requireNonNull(keys, "keys");
        List<String> unique = new ArrayList<>(new LinkedHashSet<>(keys));
        unique.forEach(k -> StoreArguments.key(k, settings.prefix()));
        Map<String, String> failed = new LinkedHashMap<>();
        int deleted = 0;
        for (int from = 0; from < unique.size(); from += StoreArguments.MAX_DELETE_BATCH) {
            List<String> batch = unique.subList(from, Math.min(unique.size(), from + StoreArguments.MAX_DELETE_BATCH));
            List<ObjectIdentifier> ids = batch.stream()
                    .map(k -> ObjectIdentifier.builder().key(settings.prefix() + k).build()).toList();
            DeleteObjectsResponse r;
            try {
                r = client.deleteObjects(b -> b.bucket(settings.bucket())
                        .delete(Delete.builder().objects(ids).quiet(true).build()));
            } catch (RuntimeException e) {
                throw errors.translate(e, Op.DELETE, batch.size() == 1 ? batch.getFirst() : null);
            }
            int batchFailures = 0;
            for (S3Error err : r.errors()) {
                String k = err.key() != null && err.key().startsWith(settings.prefix())
                        ? err.key().substring(settings.prefix().length()) : String.valueOf(err.key());
                failed.put(k, err.code() + ": " + err.message());
                batchFailures++;
            }
            deleted += batch.size() - batchFailures;
        }
        return new DeleteResult(deleted, failed);
    }

    @Override
    public PutResult copy(String sourceKey, String targetKey, PutOptions options) {
        ensureOpen();
        StoreArguments.key(sourceKey, settings.prefix());
        StoreArguments.key(targetKey, settings.prefix());
        StoreArguments.copyOptions(options);
        Map<String, String> metadata = StoreArguments.metadata(options.metadata());
        ObjectInfo source;
        try {
            source = head(sourceKey);
        } catch (NotFoundException e) {
            throw new NotFoundException("cannot copy: no source object s3://" + settings.bucket() + "/"
                    + settings.prefix() + sourceKey + " at " + endpointName, e);
        }
        if (source.size() > singleCopyLimit) {
            return multipart.copy(sourceKey, targetKey, source.size(), options, metadata);
        }
        CopyObjectRequest.Builder b = CopyObjectRequest.builder()
                .sourceBucket(settings.bucket()).sourceKey(settings.prefix() + sourceKey)
                .destinationBucket(settings.bucket()).destinationKey(settings.prefix() + targetKey)
                .metadataDirective(MetadataDirective.REPLACE).metadata(metadata)
                .contentType(contentType(options))
                // the service copies the data before it answers
                .overrideConfiguration(S3ClientFactory.transferTimeout(settings, source.size()));
        if (options.storageClass() != StorageClass.STANDARD) {
            b.storageClass(options.storageClass().s3Name());
        }
        sse.on(b);
        try {
            String etag = client.copyObject(b.build()).copyObjectResult().eTag();
            return new PutResult(targetKey, unquote(etag), source.size());
        } catch (RuntimeException e) {
            throw errors.translate(e, Op.COPY, sourceKey);
        }
    }

    /** Accepted (202), already restored (200) and a restore already in progress (409) all count as accepted. */
    @Override
    public void requestRestore(String key, int days, RestoreTier tier) {
        ensureOpen();
        StoreArguments.key(key, settings.prefix());
        StoreArguments.restoreDays(days);
        Objects.requireNonNull(tier, "tier");
        Tier t = switch (tier) {
            case EXPEDITED -> Tier.EXPEDITED;
            case STANDARD -> Tier.STANDARD;
            case BULK -> Tier.BULK;
        };
        try {
            client.restoreObject(b -> b.bucket(settings.bucket()).key(settings.prefix() + key)
                    .restoreRequest(RestoreRequest.builder().days(days)
                            .glacierJobParameters(GlacierJobParameters.builder().tier(t).build()).build()));
        } catch (AwsServiceException e) {
            if (e.awsErrorDetails() != null && "RestoreAlreadyInProgress".equals(e.awsErrorDetails().errorCode())) {
                return;
            }
            throw errors.translate(e, Op.RESTORE, key);
        } catch (RuntimeException e) {
            throw errors.translate(e, Op.RESTORE, key);
        }
    }

    @Override
    public String describe() {
        return "S3 bucket '" + settings.bucket() + "' at " + endpointName + " (region " + settings.region()
                + (settings.prefix().isEmpty() ? "" : ", prefix '" + settings.prefix() + "'")
                + (settings.pathStyle() ? ", path-style" : ", virtual-hosted") + ")";
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            partExecutor.shutdownNow();
            client.close();
        }
    }

    @Override
    public String toString() {
        return describe();
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException(describe() + " is closed");
        }
    }

    private static String contentType(PutOptions options) {
        return options.contentType() == null ? "application/octet-stream" : options.contentType();
    }

    private static byte[] clip(byte[] data, ByteRange range) {
        if (range.offset() >= data.length) {
            return new byte[0];
        }
        long end = range.length() == -1 ? data.length : Math.min(data.length, range.offset() + range.length());
        return java.util.Arrays.copyOfRange(data, (int) range.offset(), (int) end);
    }

    static String unquote(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.startsWith("W/") ? etag.substring(2) : etag;
        return e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"") ? e.substring(1, e.length() - 1) : e;
    }

    static String quote(String etag) {
        return etag.startsWith("\"") ? etag : "\"" + etag + "\"";
    }
}
