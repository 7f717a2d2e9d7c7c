package dev.stowage.core.store.s3;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.UploadPartCopyRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Puts the request parameters of the configured server-side encryption on each kind of request:
 * SSE-S3 and SSE-KMS on the requests that create objects; SSE-C (the key, its MD5 and the algorithm)
 * on every request that reads or writes object data, and as copy-source key on copies.
 * Immutable; thread-safe. Holds the SSE-C key, so it has no {@code toString} that shows it.
 */
final class SseParams {
    private static final String AES256 = "AES256";

    private final S3Settings.Encryption encryption;
    private final String customerKey;
    private final String customerKeyMd5;

    SseParams(S3Settings.Encryption encryption) {
        this.encryption = encryption;
        if (encryption instanceof S3Settings.Encryption.CustomerKey c) {
            byte[] key = c.key();
            this.customerKey = Base64.getEncoder().encodeToString(key);
            this.customerKeyMd5 = Base64.getEncoder().encodeToString(md5(key));
        } else {
            this.customerKey = null;
            this.customerKeyMd5 = null;
        }
    }

    boolean customer() {
        return customerKey != null;
    }

    void on(PutObjectRequest.Builder b) {
        switch (encryption) {
            case S3Settings.Encryption.S3Managed s -> b.serverSideEncryption(ServerSideEncryption.AES256);
            case S3Settings.Encryption.Kms k -> b.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(k.keyId());
            case S3Settings.Encryption.CustomerKey c ->
                    b.sseCustomerAlgorithm(AES256).sseCustomerKey(customerKey).sseCustomerKeyMD5(customerKeyMd5);
            case S3Settings.Encryption.None n -> {
            }
        }
    }

    void on(CreateMultipartUploadRequest.Builder b) {
        switch (encryption) {
            case S3Settings.Encryption.S3Managed s -> b.serverSideEncryption(ServerSideEncryption.AES256);
            case S3Settings.Encryption.Kms k -> b.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(k.keyId());
            case S3Settings.Encryption.CustomerKey c ->
                    b.sseCustomerAlgorithm(AES256).sseCustomerKey(customerKey).sseCustomerKeyMD5(customerKeyMd5);
            case S3Settings.Encryption.None n -> {
            }
        }
    }

    /** The copy is written with the configured encryption and, for SSE-C, read with the same key. */
    void on(CopyObjectRequest.Builder b) {
        switch (encryption) {
            case S3Settings.Encryption.S3Managed s -> b.serverSideEncryption(ServerSideEncryption.AES256);
            case S3Settings.Encryption.Kms k -> b.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(k.keyId());
            case S3Settings.Encryption.CustomerKey c -> b
                    .sseCustomerAlgorithm(AES256).sseCustomerKey(customerKey).sseCustomerKeyMD5(customerKeyMd5)
                    .copySourceSSECustomerAlgorithm(AES256).copySourceSSECustomerKey(customerKey)
                    .copySourceSSECustomerKeyMD5(customerKeyMd5);
            case S3Settings.Encryption.None n -> {
            }
        }
    }

    void on(GetObjectRequest.Builder b) {
        if (customer()) {
            b.sseCustomerAlgorithm(AES256).sseCustomerKey(customerKey).sseCustomerKeyMD5(customerKeyMd5);
        }
    }

    void on(HeadObjectRequest.Builder b) {
        if (customer()) {
            b.sseCustomerAlgorithm(AES256).sseCustomerKey(customerKey).sseCustomerKeyMD5(customerKeyMd5);
        }
    }

    void on(UploadPartRequest.Builder b) {
        if (customer()) {
            b.sseCustomerAlgorithm(AES256).sseCustomerKey(customerKey).sseCustomerKeyMD5(customerKeyMd5);
        }
    }

    void on(UploadPartCopyRequest.Builder b) {
        if (customer()) {
            b.sseCustomerAlgorithm(AES256).sseCustomerKey(customerKey).sseCustomerKeyMD5(customerKeyMd5)
                    .copySourceSSECustomerAlgorithm(AES256).copySourceSSECustomerKey(customerKey)
                    .copySourceSSECustomerKeyMD5(customerKeyMd5);
        }
    }

    void on(CompleteMultipartUploadRequest.Builder b) {
        if (customer()) {
            b.sseCustomerAlgorithm(AES256).sseCustomerKey(customerKey).sseCustomerKeyMD5(customerKeyMd5);
        }
    }

    @Override
    public String toString() {
        return "SseParams[" + encryption.getClass().getSimpleName() + "]";
    }

    static byte[] md5(byte[] data) {
        return md5(data, 0, data.length);
    }

    static byte[] md5(byte[] data, int offset, int length) {
        try {
            MessageDigest d = MessageDigest.getInstance("MD5");
            d.update(data, offset, length);
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }

    static String contentMd5(byte[] data, int offset, int length) {
        return Base64.getEncoder().encodeToString(md5(data, offset, length));
    }
}
