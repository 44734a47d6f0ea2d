/**
 * The ids the engines name their containers, layers and images by: 64 lowercase hex digits
 * (a sha256). A name that is not one is not theirs (a temp file, a stray dir), or is corrupt.
 */
export const HEX_ID = /^[0-9a-f]{64}$/;
