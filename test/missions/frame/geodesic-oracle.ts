/**
 * Vincenty's inverse formula on the WGS 84 ellipsoid (T. Vincenty, Survey Review 1975): the
 * independent oracle for geodesic distances in frame tests. Accurate to well under a millimetre
 * for the non-antipodal distances used here.
 */
export function vincentyDistanceM(a: readonly number[], b: readonly number[]): number {
  const A = 6378137;
  const f = 1 / 298.257223563;
  const B = A * (1 - f);
  const rad = Math.PI / 180;
  const L = ((b[0] ?? 0) - (a[0] ?? 0)) * rad;
  const U1 = Math.atan((1 - f) * Math.tan((a[1] ?? 0) * rad));
  const U2 = Math.atan((1 - f) * Math.tan((b[1] ?? 0) * rad));
  const sinU1 = Math.sin(U1);
  const cosU1 = Math.cos(U1);
  const sinU2 = Math.sin(U2);
  const cosU2 = Math.cos(U2);
  let lambda = L;
  for (let i = 0; i < 200; i++) {
    const sinL = Math.sin(lambda);
    const cosL = Math.cos(lambda);
    const sinSigma = Math.hypot(cosU2 * sinL, cosU1 * sinU2 - sinU1 * cosU2 * cosL);
    if (sinSigma === 0) return 0;
    const cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosL;
    const sigma = Math.atan2(sinSigma, cosSigma);
    const sinAlpha = (cosU1 * cosU2 * sinL) / sinSigma;
    const cos2Alpha = 1 - sinAlpha * sinAlpha;
    const cos2SigmaM = cos2Alpha === 0 ? 0 : cosSigma - (2 * sinU1 * sinU2) / cos2Alpha;
    const C = (f / 16) * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha));
    const prev = lambda;
    lambda =
      L +
      (1 - C) *
        f *
        sinAlpha *
        (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
    if (Math.abs(lambda - prev) < 1e-13) {
      const u2 = (cos2Alpha * (A * A - B * B)) / (B * B);
      const k1 = u2 / 1024;
      const bigA = 1 + (u2 / 16384) * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
      const bigB = k1 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
      const deltaSigma =
        bigB *
        sinSigma *
        (cos2SigmaM +
          (bigB / 4) *
            (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM) -
              (bigB / 6) *
                cos2SigmaM *
                (-3 + 4 * sinSigma * sinSigma) *
                (-3 + 4 * cos2SigmaM * cos2SigmaM)));
      return B * bigA * (sigma - deltaSigma);
    }
  }
  throw new Error(`Vincenty did not converge between ${a.join(',')} and ${b.join(',')}`);
}
