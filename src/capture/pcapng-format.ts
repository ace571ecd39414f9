/**
 * pcapng block types and magic numbers (draft-ietf-opsawg-pcapng §4), shared by
 * the reader and the writer so the two cannot drift apart.
 */
export const SHB = 0x0a0d0d0a;
export const IDB = 0x00000001;
export const OPB = 0x00000002;
export const SPB = 0x00000003;
export const EPB = 0x00000006;
export const DSB = 0x0000000a;
/** Byte-order magic in the section header: reads as this in the writer's byte order. */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
