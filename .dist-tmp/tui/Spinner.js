import { jsx as _jsx } from "react/jsx-runtime";
import { useEffect, useState } from 'react';
import { Text } from 'ink';
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
export function Spinner({ color = 'yellow' }) {
    const [i, setI] = useState(0);
    useEffect(() => {
        const t = setInterval(() => setI((n) => (n + 1) % FRAMES.length), 100);
        return () => clearInterval(t);
    }, []);
    return _jsx(Text, { color: color, children: FRAMES[i] });
}
//# sourceMappingURL=Spinner.js.map