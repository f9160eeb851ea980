/**
 * Anatomy of the synthetic contrast cardiac CT: a thorax of ellipsoids and cylinders painted in
 * order (later shapes win), in a canonical frame x (patient right -> left, image left -> right),
 * y (anterior -> posterior, image top -> bottom), z (feet -> head), each in [-1, 1]. Cardiac
 * shapes live in a heart frame rotated about z (the long axis points left and anterior).
 */
import { Rng } from '../../util/random.js';

/** Label indices of the cardiac label map. */
export const CARDIAC_LABELS = ['background', 'left-ventricle', 'right-ventricle', 'myocardium', 'left-atrium', 'aorta', 'right-atrium'] as const;

/** Tissue codes tracked while painting (what the voxel finally holds). */
export const Tissue = { Air: 0, Fat: 1, Soft: 2, Lung: 3, Bone: 4, Blood: 5, Myocardium: 6, Effusion: 7 } as const;
/** A tissue code. */
export type Tissue = (typeof Tissue)[keyof typeof Tissue];

/** A shape: ellipsoid (radii rx, ry, rz) or z-cylinder (rz ignored; spans z in [z0, z1]). */
export interface Shape {
  kind: 'ellipsoid' | 'cylinder';
  heartFrame: boolean;
  cx: number;
  cy: number;
  cz: number;
  rx: number;
  ry: number;
  rz: number;
  z0?: number;
  z1?: number;
  /** Scale of an inner exclusion (shell): points inside radii * hollow are outside the shape. */
  hollow?: number;
  /** Painted only when this finding (index into CT_FINDINGS) is present. */
  finding?: number;
  tissue: Tissue;
  hu: number;
  label: number;
}

/** Per-sample thorax: pose, heart frame, painting list and designed HU values. */
export interface Thorax {
  scale: number;
  dx: number;
  dy: number;
  heart: { x: number; y: number; cos: number; sin: number };
  shapes: Shape[];
  /** Calcified plaques (centres in the canonical frame, radius). */
  calcifications: { x: number; y: number; z: number; r: number; hu: number }[];
  hu: { leftBlood: number; rightBlood: number; myocardium: number; fat: number; lung: number; bone: number; soft: number };
}

/** Draws a thorax. `contrast` false gives unenhanced blood (~40 HU). */
export function drawThorax(rng: Rng, contrast: boolean): Thorax {
  const j = (v: number, spread: number) => v * rng.uniform(1 - spread, 1 + spread);
  const hu = {
    leftBlood: contrast ? rng.uniform(270, 330) : rng.uniform(35, 45),
    rightBlood: contrast ? rng.uniform(190, 250) : rng.uniform(35, 45),
    myocardium: rng.uniform(45, 60),
    fat: rng.uniform(-110, -90),
    lung: rng.uniform(-850, -780),
    bone: rng.uniform(700, 900),
    soft: rng.uniform(35, 50),
  };
  const angle = ((-35 + rng.uniform(-8, 8)) * Math.PI) / 180;
  const heart = { x: rng.uniform(0.02, 0.1), y: rng.uniform(-0.12, -0.04), cos: Math.cos(angle), sin: Math.sin(angle) };
  const E = (heartFrame: boolean, c: number[], r: number[], tissue: Tissue, value: number, label = 0, hollow?: number): Shape => ({
    kind: 'ellipsoid', heartFrame, cx: c[0], cy: c[1], cz: c[2], rx: r[0], ry: r[1], rz: r[2], tissue, hu: value, label, hollow,
  });
  const C = (c: number[], r: number, z0: number, z1: number, label: number): Shape => ({
    kind: 'cylinder', heartFrame: false, cx: c[0], cy: c[1], cz: 0, rx: r, ry: r, rz: 1, z0, z1, tissue: Tissue.Blood, hu: hu.leftBlood, label,
  });
  const bodyR = [j(0.86, 0.04), j(0.62, 0.05), 10];
  const lungR = [j(0.3, 0.06), j(0.42, 0.06), 1.6];
  const pericardium = [j(0.42, 0.05), j(0.33, 0.05), j(0.75, 0.05)];
  // Pericardial effusion (finding 0): fluid in the outer part of the sac, under the chambers.
  const effusion = { ...E(true, [0, 0, 0], pericardium.map((r) => r * 0.93), Tissue.Effusion, rng.uniform(5, 20), 0, 0.75), finding: 0 };
  const lv = { c: [j(0.1, 0.2), j(0.06, 0.2), -0.12], wall: [j(0.2, 0.08), j(0.17, 0.08), j(0.42, 0.06)] };
  const cavity = 0.62 + rng.uniform(0, 0.08);
  const shapes: Shape[] = [
    E(false, [0, 0.05, 0], bodyR, Tissue.Fat, hu.fat),
    E(false, [0, 0.05, 0], bodyR.map((r) => r * 0.9), Tissue.Soft, hu.soft),
    E(false, [-0.42, 0.03, 0], lungR, Tissue.Lung, hu.lung),
    E(false, [0.43, 0.03, 0], [lungR[0] * j(0.95, 0.03), lungR[1], lungR[2]], Tissue.Lung, hu.lung),
    E(true, [0, 0, 0], pericardium, Tissue.Fat, hu.fat),
    effusion,
    E(true, [j(-0.18, 0.1), j(0.08, 0.2), j(0.08, 0.3)], [j(0.12, 0.1), j(0.13, 0.1), j(0.25, 0.1)], Tissue.Blood, hu.rightBlood, 6),
    E(true, [-0.13, -0.12, -0.12], [j(0.16, 0.08), j(0.11, 0.08), j(0.36, 0.06)], Tissue.Blood, hu.rightBlood, 2),
    E(true, lv.c, lv.wall, Tissue.Myocardium, hu.myocardium, 3),
    E(true, lv.c, lv.wall.map((r) => r * cavity), Tissue.Blood, hu.leftBlood, 1),
    E(true, [j(0.04, 0.3), j(0.22, 0.08), rng.uniform(-0.02, 0.08)], [j(0.14, 0.1), j(0.09, 0.1), j(0.22, 0.1)], Tissue.Blood, hu.leftBlood, 4),
    C([heart.x - 0.02, heart.y - 0.02], j(0.07, 0.1), 0.3, 1, 5), // ascending aorta
    C([j(0.12, 0.1), 0.3], j(0.06, 0.1), -1, 1, 5), // descending aorta
    E(false, [0, 0.47, 0], [0.1, 0.09, 10], Tissue.Bone, hu.bone), // vertebral bodies
    E(false, [0, 0.6, 0], [0.035, 0.035, 10], Tissue.Soft, hu.soft), // spinal canal
    E(false, [0, -0.52, 0], [0.07, 0.03, 10], Tissue.Bone, hu.bone), // sternum
  ];
  const calcifications = [];
  const count = 2 + rng.int(3);
  for (let k = 0; k < count; k++) {
    // On the epicardial surface of the left ventricle (coronary territory), anterior-lateral.
    const t = rng.uniform(-0.6, 1.2), zz = rng.uniform(-0.6, 0.5);
    const s = Math.sqrt(1 - zz * zz);
    const px = lv.c[0] + lv.wall[0] * 1.02 * s * Math.cos(t), py = lv.c[1] - lv.wall[1] * 1.02 * s * Math.sin(t);
    calcifications.push({
      x: heart.x + heart.cos * px - heart.sin * py,
      y: heart.y + heart.sin * px + heart.cos * py,
      z: lv.c[2] + lv.wall[2] * zz,
      r: rng.uniform(0.02, 0.035),
      hu: rng.uniform(600, 1000),
    });
  }
  return { scale: rng.uniform(0.92, 1.08), dx: rng.uniform(-0.04, 0.04), dy: rng.uniform(-0.04, 0.04), heart, shapes, calcifications, hu };
}

/** True when canonical point (x, y, z) lies in `s` (heart-frame coordinates `hx`, `hy`). */
export function inside(s: Shape, x: number, y: number, z: number, hx: number, hy: number): boolean {
  const px = s.heartFrame ? hx : x, py = s.heartFrame ? hy : y;
  const dx = (px - s.cx) / s.rx, dy = (py - s.cy) / s.ry;
  if (s.kind === 'cylinder') return dx * dx + dy * dy < 1 && z >= (s.z0 ?? -Infinity) && z <= (s.z1 ?? Infinity);
  const dz = (z - s.cz) / s.rz;
  const q = dx * dx + dy * dy + dz * dz;
  return q < 1 && (s.hollow === undefined || q >= s.hollow * s.hollow);
}
