package dev.stowage.iscsi.session;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

class WriteBufferPoolTest {

    @Test
    void buffersAreDirectSizedAndReused() {
        WriteBufferPool pool = new WriteBufferPool();
        ByteBuffer a = pool.take(5000);
        assertThat(a.isDirect()).isTrue();
        assertThat(a.capacity()).isEqualTo(8192);
        assertThat(a.limit()).isEqualTo(5000);
        assertThat(a.position()).isZero();
        pool.give(a);
        assertThat(pool.keptBytes()).isEqualTo(8192);
        ByteBuffer b = pool.take(8192);
        assertThat(b).isSameAs(a);
        assertThat(b.limit()).isEqualTo(8192);
        assertThat(pool.keptBytes()).isZero();
    }

    @Test
    void smallAndHugeRequests() {
        WriteBufferPool pool = new WriteBufferPool();
        assertThat(pool.take(1).capacity()).isEqualTo(WriteBufferPool.MIN_POOLED);
        ByteBuffer huge = pool.take(WriteBufferPool.MAX_POOLED + 1);
        assertThat(huge.isDirect()).isFalse();
        pool.give(huge);
        assertThat(pool.keptBytes()).isZero();
    }

    @Test
    void idleBytesAreBounded() {
        WriteBufferPool pool = new WriteBufferPool();
        for (int i = 0; i < 10; i++) {
            pool.give(ByteBuffer.allocateDirect(WriteBufferPool.MAX_POOLED));
        }
        assertThat(pool.keptBytes()).isEqualTo(WriteBufferPool.MAX_KEPT_BYTES);
    }
}
