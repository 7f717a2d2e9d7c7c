package dev.stowage.core.device;

import java.util.List;

/**
 * A robotic medium changer: storage slots, drives and import/export slots, each an element with an
 * address (first sketch; the VTL issue grows it). The SMC command set talks only to this.
 *
 * <p><b>Threading:</b> thread-safe; moves are serialized. Calls block until the move is done.
 *
 * <p><b>Errors:</b> {@link DeviceException} with {@link DeviceError#INVALID_ELEMENT} for an unknown
 * address, {@link DeviceError#ELEMENT_CONFLICT} for an empty source or full destination,
 * {@link DeviceError#NOT_READY} while the inventory is being rebuilt.
 */
public interface MediumChanger {

    /** Kinds of element, in SMC order. */
    enum ElementType { MEDIUM_TRANSPORT, STORAGE, IMPORT_EXPORT, DATA_TRANSFER }

    /**
     * The state of one element.
     *
     * @param type          kind of element
     * @param address       element address as the initiator sees it
     * @param full          holds a cartridge
     * @param barcode       the cartridge's barcode (volume tag), or null when empty
     * @param sourceAddress where the cartridge came from, or -1 when unknown
     */
    record Element(ElementType type, int address, boolean full, String barcode, int sourceAddress) {
    }

    /** Every element, in address order. */
    List<Element> elements();

    /** Moves the cartridge in {@code source} to the empty element {@code destination}. */
    void move(int source, int destination) throws DeviceException;

    /** Re-reads barcodes and cartridge positions (INITIALIZE ELEMENT STATUS). */
    void rescan() throws DeviceException;
}
