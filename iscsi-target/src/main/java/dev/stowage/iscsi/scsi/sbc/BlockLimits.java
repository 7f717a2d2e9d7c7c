package dev.stowage.iscsi.scsi.sbc;

import dev.stowage.core.device.BlockDevice;

/**
 * The limits the disk command set enforces and advertises (block limits VPD page 0xB0), derived
 * from the device's block size so that the byte sizes stay the same for 512- and 4096-byte blocks.
 */
public record BlockLimits(long maxTransferBlocks, long optimalTransferBlocks, int optimalGranularity,
                          int maxCompareAndWriteBlocks, boolean unmapSupported, long maxUnmapBlocks,
                          long maxUnmapDescriptors, long maxWriteSameBlocks) {

    /** Largest READ/WRITE transfer in bytes (the transport's default largest write). */
    public static final int MAX_TRANSFER_BYTES = 32 << 20;
    /** Largest single UNMAP descriptor or WRITE SAME in bytes. */
    public static final long MAX_UNMAP_BYTES = 256L << 20;
    /** Preferred I/O and unmap granularity in bytes (page and allocation granularity of the backing stores). */
    public static final int PHYSICAL_BLOCK_BYTES = 4096;
    public static final int MAX_UNMAP_DESCRIPTORS = 256;

    public static BlockLimits of(BlockDevice dev) {
        int bs = dev.blockSize();
        return new BlockLimits(MAX_TRANSFER_BYTES / bs, (1 << 20) / bs, Math.max(1, PHYSICAL_BLOCK_BYTES / bs), 255,
                dev.thinProvisioned(), MAX_UNMAP_BYTES / bs, MAX_UNMAP_DESCRIPTORS, MAX_UNMAP_BYTES / bs);
    }
}
