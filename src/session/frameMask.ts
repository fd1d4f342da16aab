/**
 * The masking key of our client frames. RFC 6455 §5.3 masks client frames with an unpredictable key
 * so that a hostile script in a browser cannot make its bytes look like HTTP to a proxy on the path
 * (§10.3). Inside TLS no proxy on the path reads the frames, and the random key costs a copy of the
 * text into a Buffer plus a pass over every byte of every frame — 6 % of the JS thread in a 200-call
 * profile (bench/, issue 7), where a call sends 50 appends a second. So over wss:// the key is zero,
 * which ws recognises and skips (the text goes to the socket as it is); over plain ws:// (a lab, a
 * proxy of the operator's) frames keep ws's random keys.
 */
export type MaskGenerator = (mask: Buffer) => void;

const zeroMask: MaskGenerator = (mask) => {
  mask.fill(0, 0, 4);
};

export function maskGeneratorFor(url: string): MaskGenerator | undefined {
  return url.startsWith('wss:') ? zeroMask : undefined;
}
