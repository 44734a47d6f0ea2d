/**
 * Colours, or none: NO_COLOR (no-color.org) turns every colour off; marks and the cursor
 * (inverse video, a '>' too) stay readable without them.
 */
import { createContext, useContext } from 'react';

export interface Theme {
  /** The colour to use, or undefined when colours are off. */
  color(name: string | undefined): string | undefined;
}

/** Colours on unless NO_COLOR is set to anything but ''. */
export function themeFromEnv(env: NodeJS.ProcessEnv): Theme {
  const on = env.NO_COLOR === undefined || env.NO_COLOR === '';
  return { color: (name) => (on ? name : undefined) };
}

export const ThemeContext = createContext<Theme>(themeFromEnv(process.env));

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
