package dev.stowage.iscsi.scsi;

/**
 * An I_T nexus: one initiator port talking to one target port. For iSCSI the initiator port is
 * the initiator name plus ISID, the target port the target name plus portal group tag.
 *
 * @param initiatorPort e.g. {@code iqn.1993-08.org.debian:01:abc,i,0x00023d000001}
 * @param targetPort    e.g. {@code iqn.2026-11.dev.stowage:vol1,t,0x0001}
 * @param relativeTargetPortId relative target port identifier (VPD 0x83), 1-based
 */
public record ItNexus(String initiatorPort, String targetPort, int relativeTargetPortId) {
}
