/**
 * Placeholder for the native CPU engine (tfjs cpu backend with its heavy kernels in a compiled
 * addon). The "native" work replaces this file; the selector only relies on this signature.
 */
export async function probeNative(): Promise<{
  available: boolean;
  reason: string;
  register?: () => Promise<string /* tfjs backend name */>;
}> {
  return { available: false, reason: 'the native addon is not built yet' };
}
