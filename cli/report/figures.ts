// How figures read everywhere the CLI shows them (terminal, Markdown, JUnit), so they always agree.

/** 0.875 → "87.5%" */
export const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;

/** 7.5 → "+7.5 pts", -3 → "−3.0 pts" (a true minus sign). */
export const points = (value: number) => `${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(value).toFixed(1)} pts`;

/** A p-value: "< 0.001" or three decimals. */
export const pValue = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));
