/** The leaf classes whose appearance the generator draws (classes covid's leaves). */
export type FindingClass = 'NOR' | 'OBP' | 'OVP' | 'CVP';

export const FINDING_CLASSES: readonly FindingClass[] = ['NOR', 'OBP', 'OVP', 'CVP'];
