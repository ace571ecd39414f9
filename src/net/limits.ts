/**
 * Hostile-input limits of the packet decoder, as options (STYLE.md principle 7).
 * Hitting any of them is reported as an issue, never silently absorbed.
 */
export interface NetLimits {
  /** Tunnels unwrapped inside one frame (IP-in-IP, GRE, ERSPAN, GTP-U, VXLAN, HEP). */
  maxTunnelDepth: number;
  /** Issues kept verbatim; later ones are only counted per code. */
  maxIssues: number;
  /** IP reassembly: datagrams pending at once. */
  maxFragmentDatagrams: number;
  /** IP reassembly: fragment bytes held at once. */
  maxFragmentBytes: number;
  /** IP reassembly: seconds of capture time to wait for missing fragments. */
  fragmentTimeoutSec: number;
  /** Decode HEPv2/v3 found in UDP payloads into the packet it carries. */
  decodeHep: boolean;
}

export const DEFAULT_NET_LIMITS: NetLimits = {
  maxTunnelDepth: 4,
  maxIssues: 1000,
  maxFragmentDatagrams: 4096,
  maxFragmentBytes: 32 << 20,
  fragmentTimeoutSec: 30,
  decodeHep: true,
};
